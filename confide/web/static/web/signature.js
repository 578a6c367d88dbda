// The acknowledgement's optional drawn signature: a drawing pad (pointer: finger, pen or mouse)
// whose picture goes into the form's hidden "signature" field as a PNG when the form is sent.
// Without JavaScript, or without a pointer, the typed name alone is the acknowledgement: the
// pad stays hidden and nothing else on the page depends on it.
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("acknowledgement-form");
    var field = document.getElementById("signature-field");
    var canvas = document.getElementById("signature-pad");
    var clear = document.getElementById("signature-clear");
    var output = form ? form.querySelector("input[name=signature]") : null;
    if (!form || !field || !canvas || !clear || !output || !canvas.getContext) {
      return;
    }
    var pen = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    field.hidden = false;
    canvas.style.border = "1px solid #5c6675";
    canvas.style.background = "#fff";
    canvas.style.touchAction = "none";
    canvas.style.maxWidth = "100%";
    pen.lineWidth = 2.5;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.strokeStyle = "#111";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height),
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      var p = point(event);
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      pen.beginPath();
      pen.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) {
        return;
      }
      var p = point(event);
      pen.lineTo(p.x, p.y);
      pen.stroke();
      drawn = true;
      event.preventDefault();
    });
    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);

    clear.addEventListener("click", function () {
      pen.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      output.value = "";
    });

    form.addEventListener("submit", function () {
      output.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

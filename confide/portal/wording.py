"""The acknowledgement of the notice in the notice's own language.

A client who reads the limits-of-confidentiality notice in Spanish must also read, tick and sign
under a Spanish statement: an attestation in a language the client may not read is no informed
acknowledgement. So the acknowledgement part of the portal's notice page (its heading, the
statement the client ticks, the form's labels, hints, errors and button, the signature pad's
labels, the "done" line and the messages after sending) has a text here for every language a
notice can be published in (`Language`; a test requires every one). The page marks that part
with the notice's `lang`, so assistive technology reads it in that language.

Only this part is translated. The rest of the portal (menus, releases, sign-in) is English,
as are the service's own refusals (an unreadable drawing) and the printable acknowledgement's
labels (its notice text is in the notice's language).
"""

from __future__ import annotations

from dataclasses import dataclass

from confide.consent.enums import Language


@dataclass(frozen=True)
class AcknowledgementWords:
    heading: str
    statement: str  # what the client ticks: "I read this notice and I understand it."
    statement_missing: str
    name: str
    name_missing: str
    name_too_long: str  # with %(limit_value)d, as Django's max_length message
    signature: str
    signature_area: str
    signature_clear: str
    date_hint: str
    submit: str
    problem: str  # the error summary's heading
    stale: str  # the error summary's line for a page out of date
    done: str
    recorded: str
    changed: str


ENGLISH = AcknowledgementWords(
    heading="Tell us you read it",
    statement="I read this notice and I understand it.",
    statement_missing="Tick this box to tell us you read the notice.",
    name="Type your full name",
    name_missing="Type your full name.",
    name_too_long="Your name is too long: at most %(limit_value)d characters.",
    signature=("Signature (optional: draw with a finger, pen or mouse; your typed name is enough)"),
    signature_area="Signature drawing area",
    signature_clear="Clear the signature",
    date_hint="Today's date is recorded with your name.",
    submit="Record my acknowledgement",
    problem="There is a problem",
    stale="This page was out of date: reload it and try again.",
    done="You have acknowledged this notice. You do not need to do anything more.",
    recorded="Thank you. Your acknowledgement is recorded.",
    changed=(
        "The notice was updated while you were reading it. Please read the new version below, "
        "then tell us you read it."
    ),
)

SPANISH = AcknowledgementWords(
    heading="Díganos que lo leyó",
    statement="Leí este aviso y lo entiendo.",
    statement_missing="Marque esta casilla para decirnos que leyó el aviso.",
    name="Escriba su nombre completo",
    name_missing="Escriba su nombre completo.",
    name_too_long="Su nombre es demasiado largo: %(limit_value)d caracteres como máximo.",
    signature=(
        "Firma (opcional: dibújela con el dedo, un lápiz o el ratón; basta con su nombre escrito)"
    ),
    signature_area="Área para dibujar la firma",
    signature_clear="Borrar la firma",
    date_hint="La fecha de hoy se guarda con su nombre.",
    submit="Guardar mi confirmación",
    problem="Hay un problema",
    stale="Esta página no estaba al día: vuelva a cargarla e inténtelo otra vez.",
    done="Usted ya confirmó que leyó este aviso. No necesita hacer nada más.",
    recorded="Gracias. Su confirmación quedó guardada.",
    changed=(
        "El aviso cambió mientras usted lo leía. Lea la nueva versión abajo y luego díganos "
        "que la leyó."
    ),
)

WORDS: dict[str, AcknowledgementWords] = {Language.ENGLISH: ENGLISH, Language.SPANISH: SPANISH}


def acknowledgement_words(language: str) -> AcknowledgementWords:
    """The words for a notice in `language` (English for a language without its own)."""
    return WORDS.get(language, ENGLISH)

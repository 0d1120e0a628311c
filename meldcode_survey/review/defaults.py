"""The default codebook: the fact sheet's four categories and the domain proposals.

Plain data without models, so that the data migration can use it too. Keys are
stable identifiers (exports and the dashboard refer to codes by key); labels are
Dutch first, with an English label for the English interface.
"""

from typing import TypedDict


class DefaultCode(TypedDict):
    key: str
    label: str
    label_en: str
    description: str
    description_en: str


DEFAULT_CODES: list[DefaultCode] = [
    {
        "key": "A",
        "label": "Onzekerheid over signalen of wie de waarheid spreekt",
        "label_en": "Uncertainty about signs or about who is telling the truth",
        "description": (
            "Twijfel of signalen ernstig genoeg zijn (bijv. verwaarlozing, "
            "slechte verzorging), tegenstrijdige verhalen van ouders of bij een "
            "(v)echtscheiding, hoe letterlijk je de woorden van een kind neemt."
        ),
        "description_en": (
            "Doubt whether signs are serious enough (e.g. neglect, poor care), "
            "conflicting accounts of parents or in a contested divorce, how "
            "literally to take a child's words."
        ),
    },
    {
        "key": "B",
        "label": (
            "Samenwerking in de keten; onduidelijk waar verantwoordelijkheid "
            "of regie ligt"
        ),
        "label_en": (
            "Cooperation in the chain; unclear where responsibility or direction lies"
        ),
        "description": (
            "Onduidelijk wie moet handelen of de regie heeft, hoe ver de eigen "
            "verantwoordelijkheid gaat, moeizame samenwerking met andere partijen."
        ),
        "description_en": (
            "Unclear who must act or is in charge, how far one's own "
            "responsibility goes, difficult cooperation with other parties."
        ),
    },
    {
        "key": "C",
        "label": "Zorgen bespreekbaar maken met ouders",
        "label_en": "Raising concerns with parents",
        "description": (
            "Hoe het gesprek met ouders of verzorgers aan te gaan zonder meteen "
            "een oordeel neer te leggen."
        ),
        "description_en": (
            "How to start the conversation with parents or carers without "
            "passing judgement straight away."
        ),
    },
    {
        "key": "D",
        "label": "Twijfel of melden wel zin heeft",
        "label_en": "Doubt whether reporting makes sense",
        "description": (
            "Twijfel of handelen volgens de meldcode iets oplevert, bijv. het "
            "risico dat een kind uit beeld verdwijnt."
        ),
        "description_en": (
            "Doubt whether acting on the meldcode achieves anything, e.g. the "
            "risk that a child disappears from view."
        ),
    },
    {
        "key": "E",
        "label": "Angst voor de reactie of agressie van ouders",
        "label_en": "Fear of parents' reactions or aggression",
        "description": "Vrees voor boosheid, dreiging of geweld van ouders.",
        "description_en": "Fear of anger, threats or violence from parents.",
    },
    {
        "key": "F",
        "label": "Belasting van de relatie met het gezin",
        "label_en": "Strain on the relationship with the family",
        "description": (
            "Zorg dat de vertrouwensrelatie met het gezin beschadigt of dat het "
            "gezin afhaakt."
        ),
        "description_en": (
            "Concern that the relationship of trust with the family is damaged "
            "or that the family withdraws."
        ),
    },
    {
        "key": "G",
        "label": "Weinig terugkoppeling van Veilig Thuis na een melding",
        "label_en": "Little feedback from Veilig Thuis after a report",
        "description": (
            "Na een melding niet op de hoogte gehouden of niet betrokken worden."
        ),
        "description_en": "Not being kept informed or involved after a report.",
    },
    {
        "key": "H",
        "label": "Onduidelijk welke informatie gedeeld mag worden",
        "label_en": "Unclear what information may be shared",
        "description": (
            "Twijfel over beroepsgeheim en privacy: met wie welke informatie "
            "gedeeld mag worden."
        ),
        "description_en": (
            "Doubt about professional secrecy and privacy: what may be shared "
            "with whom."
        ),
    },
]

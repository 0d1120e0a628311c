"""A labelled set of sentences as professionals in each sector write them.

Written for this project (every name, number and organisation is made up, and
any likeness to a real person or organisation is chance). Each sentence lists
the fragments that identify someone, with their kind; an ordinary sentence lists
none. Ages are labelled too, but as details that do not count: a child's age
alone identifies no one here, so flagging one is a false positive.

Used by tests/responses/test_screening_corpus.py and bench/screening_bench.py.
"""

from __future__ import annotations

from dataclasses import dataclass

NAME = "name"
PLACE = "place"
INSTITUTION = "institution"
DATE = "date"
BSN = "bsn"
PHONE = "phone"
EMAIL = "email"
AGE = "age"  # labelled, never counted as identifying

COUNTED_KINDS = (NAME, PLACE, INSTITUTION, DATE, BSN, PHONE, EMAIL)


@dataclass(frozen=True)
class Sentence:
    sector: str
    text: str
    spans: tuple[tuple[str, str], ...] = ()

    def offsets(self) -> list[tuple[str, int, int]]:
        """(kind, start, end) of each labelled fragment (its first occurrence)."""
        found = []
        for kind, fragment in self.spans:
            start = self.text.index(fragment)
            found.append((kind, start, start + len(fragment)))
        return found

    @property
    def identifying(self) -> bool:
        return any(kind != AGE for kind, _fragment in self.spans)


def _s(sector: str, text: str, *spans: tuple[str, str]) -> Sentence:
    return Sentence(sector, text, spans)


KO, OW, GZ, MO, JH, JU = (
    "kinderopvang",
    "onderwijs",
    "gezondheidszorg",
    "maatschappelijke_ondersteuning",
    "jeugdhulp",
    "justitie",
)

IDENTIFYING: list[Sentence] = [
    # --- Kinderopvang -------------------------------------------------------
    _s(KO, "Fatima vertelde bij het ophalen dat papa weer boos was.", (NAME, "Fatima")),
    _s(
        KO,
        "Juf Annemiek zag blauwe plekken op de armen van Daan.",
        (NAME, "Annemiek"),
        (NAME, "Daan"),
    ),
    _s(
        KO,
        "Op KDV Het Kikkertje viel op dat het kind steeds honger had.",
        (INSTITUTION, "KDV Het Kikkertje"),
    ),
    _s(
        KO,
        "Lieke, Sem en Noor uit hetzelfde gezin komen vaak te laat.",
        (NAME, "Lieke"),
        (NAME, "Sem"),
        (NAME, "Noor"),
    ),
    _s(
        KO,
        "Mijn collega Marloes heeft het gesprek met de moeder gevoerd.",
        (NAME, "Marloes"),
    ),
    _s(
        KO,
        "De vader van Milan kwam dronken naar de opvang in Alkmaar.",
        (NAME, "Milan"),
        (PLACE, "Alkmaar"),
    ),
    _s(
        KO,
        "Kinderdagverblijf De Zonnebloem heeft de aandachtsfunctionaris ingeschakeld.",
        (INSTITUTION, "Kinderdagverblijf De Zonnebloem"),
    ),
    _s(
        KO,
        "Het gezin woont aan de Lindelaan, vlak bij de opvang.",
        (PLACE, "Lindelaan"),
    ),
    _s(
        KO,
        "Moeder is bereikbaar op 06-41239876, maar neemt zelden op.",
        (PHONE, "06-41239876"),
    ),
    _s(
        KO,
        "Op 14 maart 2023 meldde de oppas dat Yara niet wilde eten.",
        (DATE, "14 maart 2023"),
        (NAME, "Yara"),
    ),
    _s(
        KO,
        "BSO De Boomhut belde mij omdat Jesse een wond aan zijn hoofd had.",
        (INSTITUTION, "BSO De Boomhut"),
        (NAME, "Jesse"),
    ),
    _s(
        KO,
        "Gastouder Ingrid Bakker vangt de twee jongens drie dagen per week op.",
        (NAME, "Ingrid Bakker"),
    ),
    _s(
        KO,
        "Moeder mailde vanaf sandra.hoekstra@hotmail.com dat ze het niet meer aankon.",
        (EMAIL, "sandra.hoekstra@hotmail.com"),
    ),
    _s(
        KO,
        "Tijdens de overdracht zei Bas dat hij thuis geslagen werd.",
        (NAME, "Bas"),
    ),
    _s(
        KO,
        "Meester Bram van de peuteropvang zag dat Zoë erg angstig was.",
        (NAME, "Bram"),
        (NAME, "Zoë"),
    ),
    _s(
        KO,
        "Het meisje, Amira, is vier jaar en praat nauwelijks.",
        (NAME, "Amira"),
        (AGE, "vier jaar"),
    ),
    _s(
        KO,
        "Ik heb overlegd met de locatiemanager van Kinderopvang Humankind in Zwolle.",
        (INSTITUTION, "Kinderopvang Humankind"),
        (PLACE, "Zwolle"),
    ),
    _s(
        KO,
        "Mevrouw Jansen, de oma, haalt de kinderen meestal op.",
        (NAME, "Jansen"),
    ),
    # --- Onderwijs ------------------------------------------------------------
    _s(
        OW,
        "Op basisschool De Regenboog vertelde Emma dat ze thuis werd opgesloten.",
        (INSTITUTION, "basisschool De Regenboog"),
        (NAME, "Emma"),
    ),
    _s(
        OW,
        "Juf Sanne heeft met de intern begeleider, Karin de Groot, overlegd.",
        (NAME, "Sanne"),
        (NAME, "Karin de Groot"),
    ),
    _s(
        OW,
        "Mohammed uit groep 6 had in de gymles striemen op zijn rug.",
        (NAME, "Mohammed"),
    ),
    _s(
        OW,
        "Zijn broertjes Luuk en Thijs zitten ook bij ons op school.",
        (NAME, "Luuk"),
        (NAME, "Thijs"),
    ),
    _s(
        OW,
        "Het Stedelijk Gymnasium Leiden heeft de leerplichtambtenaar ingelicht.",
        (INSTITUTION, "Stedelijk Gymnasium Leiden"),
    ),
    _s(
        OW,
        "De moeder woont sinds de scheiding in Apeldoorn bij haar zus.",
        (PLACE, "Apeldoorn"),
    ),
    _s(
        OW,
        "Meester Bram belde vader op 06 2345 6789 maar kreeg geen gehoor.",
        (NAME, "Bram"),
        (PHONE, "06 2345 6789"),
    ),
    _s(
        OW,
        "Het BSN van het kind is 111222333.",
        (BSN, "111222333"),
    ),
    _s(
        OW,
        "Sophie kwam op 2 oktober met een blauw oog op school.",
        (NAME, "Sophie"),
        (DATE, "2 oktober"),
    ),
    _s(
        OW,
        "De mentor, meneer Visser, merkte dat Ayoub vaak verzuimde.",
        (NAME, "Visser"),
        (NAME, "Ayoub"),
    ),
    _s(
        OW,
        "Op het Da Vinci College vertelde een leerling over seksueel misbruik.",
        (INSTITUTION, "Da Vinci College"),
    ),
    _s(
        OW,
        "Het gezin verhuisde in de zomer van Utrecht naar Nieuwegein.",
        (PLACE, "Utrecht"),
        (PLACE, "Nieuwegein"),
    ),
    _s(
        OW,
        "Ik heb het besproken met onze directeur, Peter van Dijk.",
        (NAME, "Peter van Dijk"),
    ),
    _s(
        OW,
        "Noah vertelde dat hij bij zijn oom in de Kerkstraat slaapt.",
        (NAME, "Noah"),
        (PLACE, "Kerkstraat"),
    ),
    _s(
        OW,
        "De zorgcoördinator stuurde het verslag naar j.mulder@sgvoorbeeld.nl.",
        (EMAIL, "j.mulder@sgvoorbeeld.nl"),
    ),
    _s(
        OW,
        "Leerling J. de Boer uit klas 2b is al drie weken niet op school geweest.",
        (NAME, "J. de Boer"),
    ),
    _s(
        OW,
        "Bij OBS De Vlinder in Hoorn zijn meerdere zorgen over dit gezin.",
        (INSTITUTION, "OBS De Vlinder"),
        (PLACE, "Hoorn"),
    ),
    _s(
        OW,
        "Vader, Ahmed Benali, dreigde de leerkracht na het oudergesprek.",
        (NAME, "Ahmed Benali"),
    ),
    # --- Gezondheidszorg -------------------------------------------------------
    _s(
        GZ,
        "In het Spaarne Gasthuis werd een botbreuk bij de baby gezien.",
        (INSTITUTION, "Spaarne Gasthuis"),
    ),
    _s(
        GZ,
        "GGD Hollands Noorden heeft het consultatiebureau gevraagd extra te kijken.",
        (INSTITUTION, "GGD Hollands Noorden"),
    ),
    _s(
        GZ,
        "Dokter Hendriks zag dat de moeder opnieuw verwondingen had.",
        (NAME, "Hendriks"),
    ),
    _s(
        GZ,
        "Patiënte, mevrouw El Idrissi, vertelde over geweld door haar partner.",
        (NAME, "El Idrissi"),
    ),
    _s(
        GZ,
        "De verloskundige, Tamara, sprak de zwangere vrouw apart.",
        (NAME, "Tamara"),
    ),
    _s(
        GZ,
        "Het kind (BSN 123456782) is op de spoedeisende hulp gezien.",
        (BSN, "123456782"),
    ),
    _s(
        GZ,
        "De jeugdarts belde de huisarts op 072-5123456 voor overleg.",
        (PHONE, "072-5123456"),
    ),
    _s(
        GZ,
        "Op 3-11-2022 kwam de moeder met de baby op het spreekuur.",
        (DATE, "3-11-2022"),
    ),
    _s(
        GZ,
        "Jeugdverpleegkundige Anouk Smit heeft een huisbezoek in Den Helder gedaan.",
        (NAME, "Anouk Smit"),
        (PLACE, "Den Helder"),
    ),
    _s(
        GZ,
        "In het UMC Utrecht is het letselonderzoek gedaan.",
        (INSTITUTION, "UMC Utrecht"),
    ),
    _s(
        GZ,
        "De tandarts zag bij Ravi veel gaatjes en een gebroken tand.",
        (NAME, "Ravi"),
    ),
    _s(
        GZ,
        "Huisartsenpraktijk De Linde heeft de melding samen met mij voorbereid.",
        (INSTITUTION, "Huisartsenpraktijk De Linde"),
    ),
    _s(
        GZ,
        "Moeder gaf haar nieuwe adres: Wilhelminastraat, Purmerend.",
        (PLACE, "Wilhelminastraat"),
        (PLACE, "Purmerend"),
    ),
    _s(
        GZ,
        "Ik sprak de vader, dhr. Pietersen, over zijn alcoholgebruik.",
        (NAME, "Pietersen"),
    ),
    _s(
        GZ,
        "De kinderarts in het Amphia Ziekenhuis twijfelde aan het verhaal.",
        (INSTITUTION, "Amphia Ziekenhuis"),
    ),
    _s(
        GZ,
        "Zuster Ellen vond de peuter onderkoeld en vies in zijn bedje.",
        (NAME, "Ellen"),
    ),
    # --- Maatschappelijke ondersteuning ----------------------------------------
    _s(
        MO,
        "Het wijkteam Noord in Haarlem kent het gezin al jaren.",
        (PLACE, "Haarlem"),
    ),
    _s(
        MO,
        "Mijn collega Jeroen de Wit is de vaste hulpverlener van moeder.",
        (NAME, "Jeroen de Wit"),
    ),
    _s(
        MO,
        "Mevrouw Yilmaz belde mij huilend op 06-98765432.",
        (NAME, "Yilmaz"),
        (PHONE, "06-98765432"),
    ),
    _s(
        MO,
        "Bij de voedselbank in Emmen vertelde vader over de schulden.",
        (PLACE, "Emmen"),
    ),
    _s(
        MO,
        "Kevin en Dylan slapen volgens de buren soms in de auto.",
        (NAME, "Kevin"),
        (NAME, "Dylan"),
    ),
    _s(
        MO,
        "Stichting Het Buurthuis heeft ons gewaarschuwd.",
        (INSTITUTION, "Stichting Het Buurthuis"),
    ),
    _s(
        MO,
        "Op 21 januari 2024 hebben we een huisbezoek aan de Populierenweg gedaan.",
        (DATE, "21 januari 2024"),
        (PLACE, "Populierenweg"),
    ),
    _s(
        MO,
        "Oma, Gerda Willems, vangt de kinderen op als het thuis misgaat.",
        (NAME, "Gerda Willems"),
    ),
    _s(
        MO,
        "Moeder stuurde foto's van de schade naar wijkteam.oost@gemeente-voorbeeld.nl.",
        (EMAIL, "wijkteam.oost@gemeente-voorbeeld.nl"),
    ),
    _s(
        MO,
        "De schuldhulpverlener van Humanitas Deventer kent vader goed.",
        (INSTITUTION, "Humanitas Deventer"),
    ),
    _s(
        MO,
        "Ik sprak Priya alleen, zonder haar man erbij.",
        (NAME, "Priya"),
    ),
    _s(
        MO,
        "Het gezin woont in een flat aan het Marktplein in Almere.",
        (PLACE, "Marktplein"),
        (PLACE, "Almere"),
    ),
    # --- Jeugdhulp --------------------------------------------------------------
    _s(
        JH,
        "Jeugdhulpverlener Mark zag dat Iris bang werd toen vader binnenkwam.",
        (NAME, "Mark"),
        (NAME, "Iris"),
    ),
    _s(
        JH,
        "Lotte, Finn en Julia zijn na de melding uit huis geplaatst.",
        (NAME, "Lotte"),
        (NAME, "Finn"),
        (NAME, "Julia"),
    ),
    _s(
        JH,
        "Bij Jeugdzorg Noord-Holland is het gezin eerder in beeld geweest.",
        (INSTITUTION, "Jeugdzorg Noord-Holland"),
    ),
    _s(
        JH,
        "De gezinsvoogd, mevrouw Verhoeven, stemde in met het plan.",
        (NAME, "Verhoeven"),
    ),
    _s(
        JH,
        "Het pleeggezin in Enschede meldde nieuwe verwondingen.",
        (PLACE, "Enschede"),
    ),
    _s(
        JH,
        "Op 5 mei vertelde Tim dat zijn stiefvader hem had geschopt.",
        (DATE, "5 mei"),
        (NAME, "Tim"),
    ),
    _s(
        JH,
        "Ik heb met behandelaar Roos Kuipers van Levvel overlegd.",
        (NAME, "Roos Kuipers"),
        (INSTITUTION, "Levvel"),
    ),
    _s(
        JH,
        "Het BSN van de jongste is 232262536, dat van de oudste ken ik niet.",
        (BSN, "232262536"),
    ),
    _s(
        JH,
        "In de overdracht uit Excel stond het BSN als 73117699, zonder de nul.",
        (BSN, "73117699"),
    ),
    _s(
        JH,
        "Volgens het registratiesysteem is de jongste geboren op 19062011.",
        (DATE, "19062011"),
    ),
    _s(
        JH,
        "Samira woont nu bij haar tante in de Beatrixstraat.",
        (NAME, "Samira"),
        (PLACE, "Beatrixstraat"),
    ),
    _s(
        JH,
        "De moeder van Ruben belde vanaf 0031 6 11223344 vanuit het buitenland.",
        (NAME, "Ruben"),
        (PHONE, "0031 6 11223344"),
    ),
    _s(
        JH,
        "Bij de crisisopvang van Spirit in Amsterdam is de jongen tijdelijk geplaatst.",
        (INSTITUTION, "Spirit"),
        (PLACE, "Amsterdam"),
    ),
    # --- Justitie -----------------------------------------------------------------
    _s(
        JU,
        "Wijkagent Erik de Jong was bij het huiselijk geweld aanwezig.",
        (NAME, "Erik de Jong"),
    ),
    _s(
        JU,
        "De reclasseringswerker van Reclassering Nederland in Tilburg belde mij.",
        (PLACE, "Tilburg"),
    ),
    _s(
        JU,
        "Verdachte R. Koster had een contactverbod met zijn ex-partner.",
        (NAME, "R. Koster"),
    ),
    _s(
        JU,
        "Op 12-06-2023 is vader aangehouden in de Dorpsstraat.",
        (DATE, "12-06-2023"),
        (PLACE, "Dorpsstraat"),
    ),
    _s(
        JU,
        "Slachtoffer Nicole vertelde dat ze al jaren werd bedreigd.",
        (NAME, "Nicole"),
    ),
    _s(
        JU,
        "De advocaat, mr. Van den Berg, vroeg om het dossier.",
        (NAME, "Van den Berg"),
    ),
    _s(
        JU,
        "In Justitiële Jeugdinrichting Den Hey-Acker vertelde een jongen over thuis.",
        (INSTITUTION, "Justitiële Jeugdinrichting Den Hey-Acker"),
    ),
    _s(
        JU,
        "Moeder woont sinds 1 april 2022 in Rotterdam-Zuid.",
        (DATE, "1 april 2022"),
        (PLACE, "Rotterdam-Zuid"),
    ),
    _s(
        JU,
        "Het zaaknummer stond op een brief aan Kim Hermans.",
        (NAME, "Kim Hermans"),
    ),
]

ORDINARY: list[Sentence] = [
    _s(KO, "Het kind kwam vaak met vieze kleding op de groep."),
    _s(KO, "De moeder reageerde boos toen ik het gedrag van haar zoon besprak."),
    _s(KO, "Ik heb het besproken met de aandachtsfunctionaris van onze locatie."),
    _s(KO, "Het meisje is drie jaar en zegt nog weinig.", (AGE, "drie jaar")),
    _s(KO, "Na twee weken hebben we de ouders uitgenodigd voor een gesprek."),
    _s(KO, "Een peuter had een blauwe plek op zijn wang."),
    _s(KO, "De kinderen werden vaak door een buurvrouw opgehaald."),
    _s(OW, "In groep 6 viel op dat de jongen vaak moe was."),
    _s(OW, "Ik twijfelde lang of ik Veilig Thuis moest bellen."),
    _s(OW, "De leerkracht en de intern begeleider hebben samen een kindcheck gedaan."),
    _s(OW, "De leerling is 12 jaar en verzuimt veel.", (AGE, "12 jaar")),
    _s(OW, "Het was moeilijk om met de ouders in gesprek te komen."),
    _s(OW, "We hebben advies gevraagd en daarna gemeld."),
    _s(OW, "Zij vertelde het aan haar mentor tijdens de pauze."),
    _s(OW, "Op school is een zorgoverleg geweest met de leerplichtambtenaar."),
    _s(GZ, "De huisarts heeft de moeder doorverwezen naar het maatschappelijk werk."),
    _s(GZ, "Bij het consultatiebureau viel op dat de baby niet groeide."),
    _s(GZ, "De verloskundige zag blauwe plekken tijdens de controle."),
    _s(GZ, "Op de spoedeisende hulp is een kindcheck gedaan."),
    _s(GZ, "De baby van vier maanden had een botbreuk.", (AGE, "vier maanden")),
    _s(GZ, "Ik heb de aandachtsfunctionaris gevraagd mee te kijken."),
    _s(GZ, "De jeugdarts heeft de zorgen met de ouders besproken."),
    _s(MO, "Het wijkteam kent het gezin al langere tijd."),
    _s(MO, "Vader heeft veel schulden en drinkt te veel."),
    _s(MO, "De moeder durfde niet naar huis na de ruzie."),
    _s(MO, "Het gezin heeft drie kinderen en weinig geld."),
    _s(MO, "Ik heb Veilig Thuis om advies gevraagd via 0800-2000."),
    _s(MO, "Na het huisbezoek hebben we een veiligheidsplan gemaakt."),
    _s(JH, "De jongere is 15 jaar en woont in een pleeggezin.", (AGE, "15 jaar")),
    _s(JH, "Het plan van aanpak is met de ouders besproken."),
    _s(JH, "De gezinsvoogd vond de situatie thuis niet veilig."),
    _s(JH, "Na de melding heeft Veilig Thuis een onderzoek gestart."),
    _s(JH, "De moeder werkt niet mee aan de hulpverlening."),
    _s(JH, "In 2021 is het gezin voor het eerst in beeld gekomen."),
    _s(JU, "De politie is twee keer bij het gezin geweest."),
    _s(JU, "Er is een tijdelijk huisverbod opgelegd aan de vader."),
    _s(JU, "De Raad voor de Kinderbescherming doet onderzoek."),
    _s(JU, "Het slachtoffer wilde geen aangifte doen."),
    _s(JU, "De reclassering heeft contact gehad met de jeugdbescherming."),
    _s(
        JU,
        "De jongen van 16 jaar zit in een justitiële jeugdinrichting.",
        (AGE, "16 jaar"),
    ),
    _s(KO, "Ik heb de signalen vastgelegd in het kinddossier."),
    _s(OW, "De ouders waren het niet eens met de melding."),
    _s(GZ, "De kinderen kregen thuis niet genoeg te eten."),
    _s(MO, "Een buurman belde omdat hij geschreeuw hoorde."),
    _s(JH, "De oudste zorgt vaak voor de jongere kinderen."),
    # Harder ones: generic organisations, weekdays, holidays, capitals.
    _s(OW, "Daarna heeft de school Veilig Thuis gebeld."),
    _s(GZ, "Het consultatiebureau van de GGD zag het kind pas na de zomer."),
    _s(KO, "Op maandag kwam het kind zonder jas en zonder ontbijt."),
    _s(OW, "Na de kerstvakantie was het meisje stil en teruggetrokken."),
    _s(KO, "De kinderen speelden op het schoolplein toen het gebeurde."),
    _s(JU, "De officier van justitie heeft een contactverbod geëist."),
    _s(MO, "De huisarts en het wijkteam waren het niet met elkaar eens."),
    _s(JH, "Moeder zei: Ik wil niet dat Jeugdzorg zich ermee bemoeit."),
    _s(GZ, "De moeder had een verwonding aan haar linkerarm."),
    _s(OW, "In de klas vertelde een leerling over ruzies thuis."),
    # An amount grouped like an eight-digit number that passes the 11-proef.
    _s(MO, "De gemeente trok 63.302.500 euro uit voor jeugdhulp en preventie."),
]

CORPUS: list[Sentence] = IDENTIFYING + ORDINARY


# Kinds the screening reports, folded onto the corpus's kinds for scoring.
_PREDICTED_AS = {"postcode": PLACE, "birth_date": DATE}


@dataclass
class Tally:
    labelled: int = 0
    found: int = 0
    flagged: int = 0
    correct: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.labelled if self.labelled else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.flagged if self.flagged else None


@dataclass
class Score:
    kinds: dict[str, Tally]
    total: Tally
    identifying_flagged: int
    ordinary_flagged: int
    missed: list[tuple[str, str]]
    false_flags: list[tuple[str, str]]

    def lines(self) -> list[str]:
        """A small table: recall and precision per kind, then the sentences."""

        def pct(value: float | None) -> str:
            return "   -" if value is None else f"{100 * value:3.0f}%"

        header = f"{'kind':<12} {'spans':>5} {'recall':>7} {'flags':>5}"
        rows = [f"{header} {'precision':>9}"]
        for kind, t in [*self.kinds.items(), ("all", self.total)]:
            rows.append(
                f"{kind:<12} {t.labelled:>5} {pct(t.recall):>7} {t.flagged:>5} "
                f"{pct(t.precision):>9}"
            )
        rows.append(
            f"identifying sentences flagged: {self.identifying_flagged}/"
            f"{len(IDENTIFYING)}; ordinary sentences flagged: "
            f"{self.ordinary_flagged}/{len(ORDINARY)}"
        )
        return rows


def _overlaps(start: int, end: int, spans: list[tuple[str, int, int]]) -> bool:
    return any(start < s_end and s_start < end for _k, s_start, s_end in spans)


def score(screen) -> Score:
    """Score `screen(text) -> [flag with kind, start, end]` on the corpus.

    A labelled fragment is found when any flag overlaps it, whatever its kind
    (an organisation flagged as a place is still flagged); a flag is correct
    when it overlaps a fragment that counts (so a flagged age is a false one).
    """
    kinds = {kind: Tally() for kind in COUNTED_KINDS}
    total = Tally()
    flagged_sentences = {True: 0, False: 0}
    missed, false_flags = [], []
    for sentence in CORPUS:
        flags = screen(sentence.text)
        labelled = sentence.offsets()
        counted = [span for span in labelled if span[0] != AGE]
        for kind, start, end in counted:
            hit = any(start < f.end and f.start < end for f in flags)
            for tally in (kinds[kind], total):
                tally.labelled += 1
                tally.found += hit
            if not hit:
                missed.append((kind, sentence.text[start:end]))
        for flag in flags:
            kind = _PREDICTED_AS.get(str(flag.kind), str(flag.kind))
            good = _overlaps(flag.start, flag.end, counted)
            for tally in (kinds.setdefault(kind, Tally()), total):
                tally.flagged += 1
                tally.correct += good
            if not good:
                false_flags.append((kind, flag.fragment))
        flagged_sentences[sentence.identifying] += bool(flags)
    return Score(
        kinds,
        total,
        flagged_sentences[True],
        flagged_sentences[False],
        missed,
        false_flags,
    )

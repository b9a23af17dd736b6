"""Demo population: deterministic, realistic people for the demo portal, tests and benchmarks.

Families share a surname form, an address and a region; minor children point at both parents;
some elderly people are deceased. Names are Kazakh and Russian in Cyrillic with patronymics formed
by the father's name and the child's sex, plus the Latin transliteration used on ID cards. Every
IIN comes from `iin_make`, so it is valid and agrees with the birth date and sex.

Nothing depends on today's date (`REFERENCE_DATE`), so a seed gives the same people on any day.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from qyzmet.core.iin import Sex, iin_make
from qyzmet.identity.selectors import PERSON_FIELDS

REFERENCE_DATE = date(2026, 1, 1)
MINOR_BORN_AFTER = date(2008, 12, 31)
SEXES: tuple[Sex, ...] = ("M", "F")

# A registry file's columns: the person's record as the registry reads it out, the parents and
# the spouse.
COLUMNS: tuple[str, ...] = (*PERSON_FIELDS, "father_iin", "mother_iin", "spouse_iin")

# Region code (as on vehicle plates, domain-kz.md) -> (population weight in thousands, settlements).
REGIONS: dict[str, tuple[int, tuple[str, ...]]] = {
    "01": (1500, ("Астана",)),
    "02": (2300, ("Алматы",)),
    "03": (790, ("Кокшетау", "Степногорск", "Щучинск", "Акколь")),
    "04": (950, ("Актобе", "Хромтау", "Кандыагаш", "Шалкар")),
    "05": (1550, ("Конаев", "Талгар", "Есик", "Каскелен")),
    "06": (700, ("Атырау", "Кульсары")),
    "07": (690, ("Уральск", "Аксай")),
    "08": (1220, ("Тараз", "Шу", "Каратау", "Жанатас")),
    "09": (1130, ("Караганда", "Темиртау", "Балхаш", "Шахтинск", "Сарань")),
    "10": (830, ("Костанай", "Рудный", "Лисаковск", "Аркалык")),
    "11": (840, ("Кызылорда", "Аральск", "Казалинск")),
    "12": (780, ("Актау", "Жанаозен")),
    "13": (2140, ("Туркестан", "Кентау", "Арыс", "Сарыагаш")),
    "14": (750, ("Павлодар", "Экибастуз", "Аксу")),
    "15": (530, ("Петропавловск", "Булаево", "Тайынша")),
    "16": (720, ("Усть-Каменогорск", "Риддер", "Алтай", "Шемонаиха")),
    "17": (1250, ("Шымкент",)),
    "18": (600, ("Семей", "Курчатов", "Аягоз")),
    "19": (700, ("Талдыкорган", "Текели", "Жаркент", "Ушарал")),
    "20": (220, ("Жезказган", "Сатпаев", "Каражал")),
}
_REGION_CODES = tuple(REGIONS)
_REGION_WEIGHTS = tuple(weight for weight, _ in REGIONS.values())

STREETS = (
    "Абая",
    "Достык",
    "Сейфуллина",
    "Кабанбай батыра",
    "Толе би",
    "Жибек жолы",
    "Республики",
    "Бухар жырау",
    "Желтоксан",
    "Сатпаева",
    "Байтурсынова",
    "Кенесары",
    "Мангилик Ел",
    "Айтеке би",
    "Гоголя",
    "Пушкина",
    "Тауелсиздик",
    "Момышулы",
    "Жамбыла",
    "Ауэзова",
)

KAZAKH_SURNAMES = (
    "Ахметов",
    "Жұмабаев",
    "Серіков",
    "Нұрланов",
    "Қасымов",
    "Омаров",
    "Әбенов",
    "Төлеуов",
    "Бекмұхамбетов",
    "Ысқақов",
    "Мұқашев",
    "Сүлейменов",
    "Кенжебаев",
    "Байтұрсынов",
    "Есенов",
    "Жақсылықов",
    "Смағұлов",
    "Қалиев",
    "Оспанов",
    "Сәрсенбаев",
    "Мұратов",
    "Бейсенов",
    "Ержанов",
    "Әлиев",
    "Шәкенов",
    "Нұрпейісов",
    "Ибраев",
    "Дүйсенбаев",
    "Әбдірахманов",
    "Тұрсынов",
)
KAZAKH_MALE = (
    "Нұрлан",
    "Ерлан",
    "Серік",
    "Бауыржан",
    "Дәурен",
    "Қайрат",
    "Мұрат",
    "Ержан",
    "Арман",
    "Данияр",
    "Әлихан",
    "Нұрсұлтан",
    "Темірлан",
    "Азамат",
    "Болат",
    "Ғалым",
    "Жандос",
    "Мақсат",
    "Асқар",
    "Айдос",
    "Ернар",
    "Алмас",
    "Санжар",
    "Еркебұлан",
    "Рүстем",
    "Тимур",
    "Ислам",
    "Ансар",
    "Әділет",
    "Медет",
)
KAZAKH_FEMALE = (
    "Айгүл",
    "Әсел",
    "Гүлнар",
    "Дана",
    "Жанар",
    "Қарлығаш",
    "Мөлдір",
    "Назерке",
    "Салтанат",
    "Айжан",
    "Ақбота",
    "Дариға",
    "Інжу",
    "Жұлдыз",
    "Гүлмира",
    "Аружан",
    "Томирис",
    "Ләззат",
    "Меруерт",
    "Балжан",
    "Динара",
    "Камила",
    "Сәуле",
    "Ботагөз",
    "Айым",
    "Жансая",
    "Әйгерім",
    "Гүлжан",
    "Ұлжан",
    "Мадина",
)
RUSSIAN_SURNAMES = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
)
# Russian given name -> (son's patronymic, daughter's patronymic); irregular ones spelled out.
RUSSIAN_MALE: dict[str, tuple[str, str]] = {
    "Александр": ("Александрович", "Александровна"),
    "Сергей": ("Сергеевич", "Сергеевна"),
    "Андрей": ("Андреевич", "Андреевна"),
    "Алексей": ("Алексеевич", "Алексеевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Николай": ("Николаевич", "Николаевна"),
    "Владимир": ("Владимирович", "Владимировна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Иван": ("Иванович", "Ивановна"),
    "Павел": ("Павлович", "Павловна"),
    "Юрий": ("Юрьевич", "Юрьевна"),
    "Виктор": ("Викторович", "Викторовна"),
    "Олег": ("Олегович", "Олеговна"),
    "Евгений": ("Евгеньевич", "Евгеньевна"),
    "Константин": ("Константинович", "Константиновна"),
    "Пётр": ("Петрович", "Петровна"),
    "Илья": ("Ильич", "Ильинична"),
    "Никита": ("Никитич", "Никитична"),
    "Вадим": ("Вадимович", "Вадимовна"),
    "Игорь": ("Игоревич", "Игоревна"),
    "Артём": ("Артёмович", "Артёмовна"),
    "Максим": ("Максимович", "Максимовна"),
    "Денис": ("Денисович", "Денисовна"),
    "Роман": ("Романович", "Романовна"),
}
_RUSSIAN_MALE_NAMES = tuple(RUSSIAN_MALE)
RUSSIAN_FEMALE = (
    "Анна",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Мария",
    "Екатерина",
    "Юлия",
    "Анастасия",
    "Людмила",
    "Галина",
    "Марина",
    "Дарья",
    "Полина",
    "Виктория",
    "Ксения",
    "Софья",
    "Алина",
)

# Cyrillic (Russian and Kazakh letters) -> Latin as on Kazakhstan's ID cards (ICAO 9303 style).
_LATIN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "ie", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip

OTHER_CITIZENSHIPS = ("RUS", "UZB", "KGZ", "CHN", "TUR")


def latin(text: str) -> str:
    """The Latin spelling of a Cyrillic name, upper case as printed on the ID card."""
    return "".join(_LATIN.get(ch, ch) for ch in text.lower()).upper()


@dataclass(frozen=True)
class _Home:
    region: str
    settlement: str
    street: str


@dataclass(frozen=True)
class _Person:
    iin: str
    given_name: str
    sex: Sex


class _Generator:
    """One seeded stream of households; keeps the next free IIN serial per birth date and sex."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data must be reproducible, not secret
        self.serials: dict[int, int] = {}

    def iin(self, birth_date: date, sex: Sex) -> str:
        key = birth_date.toordinal() * 2 + (sex == "F")
        serial = self.serials.get(key, self.rng.randrange(1, 200))
        while True:
            iin = iin_make(birth_date, sex, serial)
            serial += 1
            if iin is not None:
                self.serials[key] = serial
                return iin

    def born(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def home(self) -> _Home:
        region = self.rng.choices(_REGION_CODES, _REGION_WEIGHTS)[0]
        settlement = self.rng.choice(REGIONS[region][1])
        street = f"ул. {self.rng.choice(STREETS)}, {self.rng.randint(1, 180)}"
        if self.rng.random() < 0.6:
            street += f", кв. {self.rng.randint(1, 240)}"
        return _Home(region=region, settlement=settlement, street=street)

    def households(self) -> Iterator[list[dict[str, str]]]:
        while True:
            kind = self.rng.random()
            if kind < 0.45:
                yield self.family()
            elif kind < 0.55:
                husband_born = self.born(date(1940, 1, 1), date(1975, 12, 31))
                wife_born = husband_born + timedelta(days=self.rng.randrange(0, 6 * 365))
                yield self.couple(husband_born, wife_born)
            elif kind < 0.85:
                yield [self.single(self.born(date(1940, 1, 1), date(2007, 12, 31)))]
            else:
                yield [self.single(self.born(date(1925, 1, 1), date(1955, 12, 31)), elderly=True)]

    def family(self) -> list[dict[str, str]]:
        """A couple with minor children (born after 2008), listed parents first."""
        mother_born = self.born(date(1972, 1, 1), date(1998, 12, 31))
        father_born = mother_born - timedelta(days=self.rng.randrange(0, 6 * 365))
        rows = self.couple(father_born, mother_born)
        father, mother = rows
        kazakh = _is_kazakh(father["surname"])
        first_child = max(MINOR_BORN_AFTER + timedelta(days=1), _add_years(mother_born, 19))
        last_child = min(REFERENCE_DATE - timedelta(days=1), _add_years(mother_born, 45))
        if first_child > last_child:
            return rows
        for _ in range(self.rng.choices((0, 1, 2, 3), (15, 30, 35, 20))[0]):
            sex = self.rng.choice(SEXES)
            given = self.given_name(kazakh, sex)
            birth = self.born(first_child, last_child)
            rows.append(
                _row(
                    iin=self.iin(birth, sex),
                    surname=_surname_for(father["surname"], sex),
                    given_name=given,
                    patronymic=_patronymic(father["given_name"], sex, kazakh=kazakh),
                    birth_date=birth,
                    sex=sex,
                    home=_home_of(father),
                    father_iin=father["iin"],
                    mother_iin=mother["iin"],
                )
            )
        return rows

    def couple(self, husband_born: date, wife_born: date) -> list[dict[str, str]]:
        kazakh = self.rng.random() < 0.72
        home = self.home()
        surname = self.surname(kazakh)
        husband = self.adult(husband_born, "M", kazakh, surname, home)
        wife_surname = surname if self.rng.random() < 0.7 else self.surname(kazakh)
        wife = self.adult(wife_born, "F", kazakh, wife_surname, home)
        husband["spouse_iin"], wife["spouse_iin"] = wife["iin"], husband["iin"]
        return [husband, wife]

    def single(self, birth: date, *, elderly: bool = False) -> dict[str, str]:
        kazakh = self.rng.random() < 0.7
        sex = self.rng.choice(SEXES)
        row = self.adult(birth, sex, kazakh, self.surname(kazakh), self.home())
        if elderly and self.rng.random() < 0.5:
            died = self.born(max(_add_years(birth, 60), date(2005, 1, 1)), date(2025, 12, 31))
            row["status"] = "deceased"
            row["death_date"] = died.isoformat()
        elif self.rng.random() < 0.01:
            row["citizenship"] = self.rng.choice(OTHER_CITIZENSHIPS)
        return row

    def adult(
        self, birth: date, sex: Sex, kazakh: bool, surname: str, home: _Home
    ) -> dict[str, str]:
        father_name = self.given_name(kazakh, "M")
        return _row(
            iin=self.iin(birth, sex),
            surname=_surname_for(surname, sex),
            given_name=self.given_name(kazakh, sex),
            patronymic=_patronymic(father_name, sex, kazakh=kazakh),
            birth_date=birth,
            sex=sex,
            home=home,
        )

    def surname(self, kazakh: bool) -> str:
        return self.rng.choice(KAZAKH_SURNAMES if kazakh else RUSSIAN_SURNAMES)

    def given_name(self, kazakh: bool, sex: Sex) -> str:
        if kazakh:
            return self.rng.choice(KAZAKH_MALE if sex == "M" else KAZAKH_FEMALE)
        return self.rng.choice(_RUSSIAN_MALE_NAMES if sex == "M" else RUSSIAN_FEMALE)


def _row(
    *,
    iin: str,
    surname: str,
    given_name: str,
    patronymic: str,
    birth_date: date,
    sex: Sex,
    home: _Home,
    father_iin: str = "",
    mother_iin: str = "",
) -> dict[str, str]:
    return {
        "iin": iin,
        "surname": surname,
        "given_name": given_name,
        "patronymic": patronymic,
        "surname_latin": latin(surname),
        "given_name_latin": latin(given_name),
        "birth_date": birth_date.isoformat(),
        "sex": sex,
        "citizenship": "KAZ",
        "region": home.region,
        "settlement": home.settlement,
        "street": home.street,
        "status": "living",
        "death_date": "",
        "father_iin": father_iin,
        "mother_iin": mother_iin,
        "spouse_iin": "",
    }


def _home_of(row: dict[str, str]) -> _Home:
    return _Home(region=row["region"], settlement=row["settlement"], street=row["street"])


def _is_kazakh(surname: str) -> bool:
    return surname.removesuffix("а") in KAZAKH_SURNAMES


def _surname_for(surname: str, sex: Sex) -> str:
    """The surname form for the sex: Ахметов / Ахметова, Никитин / Никитина."""
    base = surname.removesuffix("а") if surname.endswith(("ова", "ева", "ина")) else surname
    return base + "а" if sex == "F" else base


def _patronymic(father_name: str, sex: Sex, *, kazakh: bool) -> str:
    """Kazakh patronymics join "ұлы" (son) or "қызы" (daughter) to the father's name; Russian
    ones use the -ович/-овна forms, several of them irregular, hence the table."""
    if kazakh:
        return father_name + ("ұлы" if sex == "M" else "қызы")
    son, daughter = RUSSIAN_MALE[father_name]
    return son if sex == "M" else daughter


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def demo_population_iter(*, count: int = 1000, seed: int = 2026) -> Iterator[dict[str, str]]:
    """Demo population rows one at a time, in constant memory (for files of millions of rows).
    Households are never split except at the end, where only trailing children are cut."""
    households = _Generator(seed).households()
    emitted = 0
    while emitted < count:
        for row in next(households):
            if emitted >= count:
                return
            yield row
            emitted += 1


def demo_population_rows(*, count: int = 1000, seed: int = 2026) -> list[dict[str, str]]:
    """`count` demo population rows, the same for the same seed (columns as `COLUMNS`)."""
    return list(demo_population_iter(count=count, seed=seed))

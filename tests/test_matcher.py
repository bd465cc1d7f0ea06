"""The matcher on a small multilingual knowledge base, with the queries people really type."""

from __future__ import annotations

import functools

import pytest

from knowledge.base import KnowledgeBase
from knowledge.language import detect_language
from knowledge.matcher import Decision, Document, Matcher, MatchResult

KEEP_TERMS = ("Ausbildung", "Praktikum", "IHK", "HWK", "Jobcenter", "BAB", "Anerkennung")
SYNONYMS = (
    ("Ausbildung", "Lehre", "Lehrstelle", "apprenticeship"),
    ("Praktikum", "internship", "стажировка"),
)

# (id, lang, question, answer)
_ENTRIES: tuple[tuple[str, str, str, str], ...] = (
    # -- Ausbildung
    ("ausbildung", "de", "Wie finde ich einen Ausbildungsplatz?",
     "Freie Ausbildungsplätze findest du bei der Agentur für Arbeit, bei der IHK und bei der HWK. "
     "Die Berufsberatung hilft dir auch bei der Bewerbung."),
    ("ausbildung", "en", "How do I find an apprenticeship (Ausbildung)?",
     "You can find open Ausbildung places at the Agentur für Arbeit, the IHK and the HWK. "
     "The career counselling service also helps with your application."),
    ("ausbildung", "ar", "كيف أجد مكاناً للتدريب المهني (Ausbildung)؟",
     "تجد أماكن التدريب المهني الشاغرة لدى وكالة العمل وغرفة IHK وغرفة HWK."),
    ("ausbildung", "uk", "Як знайти місце для професійного навчання (Ausbildung)?",
     "Вільні місця для Ausbildung є в Агентстві з питань праці, в IHK та в HWK."),
    ("ausbildung", "ru", "Как найти место для профессионального обучения (Ausbildung)?",
     "Свободные места для Ausbildung есть в Агентстве по труду, в IHK и в HWK."),
    ("ausbildung", "fa", "چگونه یک جای آموزش حرفه‌ای (Ausbildung) پیدا کنم؟",
     "جاهای خالی آموزش حرفه‌ای را در اداره کار، IHK و HWK پیدا می‌کنی."),
    ("ausbildung", "tr", "Meslek eğitimi (Ausbildung) için nasıl yer bulurum?",
     "Boş Ausbildung yerlerini İş Ajansı, IHK ve HWK üzerinden bulabilirsin."),
    ("ausbildung", "cs", "Jak najdu místo pro odborné vzdělávání (Ausbildung)?",
     "Volná místa najdeš na úřadu práce, u IHK a u HWK."),
    # -- Praktikum
    ("praktikum", "de", "Wo kann ich ein Praktikum machen?",
     "Viele Betriebe in der Region bieten Praktika an. Frag in deiner Schule, beim Jobcenter "
     "oder beim Jugendmigrationsdienst nach."),
    ("praktikum", "en", "Where can I do an internship (Praktikum)?",
     "Many companies in the region offer internships. Ask at your school, the Jobcenter or the "
     "youth migration service."),
    ("praktikum", "ar", "أين يمكنني القيام بتدريب عملي (Praktikum)؟",
     "تقدم شركات كثيرة في المنطقة تدريباً عملياً. اسأل في مدرستك أو في مركز العمل Jobcenter."),
    ("praktikum", "uk", "Де я можу пройти практику (Praktikum)?",
     "Багато підприємств у регіоні пропонують практику. Запитай у школі або в Jobcenter."),
    ("praktikum", "ru", "Где можно пройти практику (Praktikum)?",
     "Многие предприятия в регионе предлагают практику. Спроси в школе или в Jobcenter."),
    ("praktikum", "fa", "کجا می‌توانم کارآموزی (Praktikum) انجام دهم؟",
     "بسیاری از شرکت‌های منطقه کارآموزی ارائه می‌دهند. در مدرسه یا Jobcenter بپرس."),
    ("praktikum", "tr", "Nerede staj (Praktikum) yapabilirim?",
     "Bölgedeki birçok işletme staj imkânı sunuyor. Okuluna veya Jobcenter'a sor."),
    ("praktikum", "cs", "Kde můžu absolvovat praxi (Praktikum)?",
     "Mnoho firem v regionu nabízí praxi. Zeptej se ve škole nebo na Jobcenter."),
    # -- Anerkennung
    ("anerkennung", "de", "Wie lasse ich mein ausländisches Zeugnis anerkennen?",
     "Für die Anerkennung deines Schul- oder Berufsabschlusses ist je nach Beruf eine andere Stelle "
     "zuständig. Die IHK FOSA prüft kaufmännische und technische Berufe."),
    ("anerkennung", "en", "How do I get my foreign certificate recognised (Anerkennung)?",
     "Which office handles the Anerkennung of your school or vocational certificate depends on the "
     "profession. IHK FOSA checks commercial and technical professions."),
    ("anerkennung", "ar", "كيف يتم الاعتراف بشهادتي الأجنبية (Anerkennung)؟",
     "الجهة المسؤولة عن الاعتراف بشهادتك تختلف حسب المهنة."),
    ("anerkennung", "uk", "Як визнати мій іноземний диплом (Anerkennung)?",
     "Яка установа відповідає за визнання диплома, залежить від професії."),
    ("anerkennung", "ru", "Как признать мой иностранный диплом (Anerkennung)?",
     "Какое учреждение отвечает за признание диплома, зависит от профессии."),
    ("anerkennung", "fa", "مدرک خارجی من چگونه به رسمیت شناخته می‌شود (Anerkennung)؟",
     "اینکه کدام اداره مسئول شناسایی مدرک توست به شغل بستگی دارد."),
    ("anerkennung", "tr", "Yabancı diplomamı nasıl tanıttırırım (Anerkennung)?",
     "Diplomanın tanınmasından hangi kurumun sorumlu olduğu mesleğe göre değişir."),
    ("anerkennung", "cs", "Jak si nechám uznat zahraniční vysvědčení (Anerkennung)?",
     "Který úřad je příslušný pro uznání, záleží na povolání."),
    # -- Deutschkurs
    ("deutschkurs", "de", "Wo finde ich einen Deutschkurs und die Prüfung B1?",
     "Integrationskurse und Berufssprachkurse bieten die Volkshochschule und andere Träger an. "
     "Die Prüfung B1 kannst du am Ende des Kurses machen."),
    ("deutschkurs", "en", "Where can I find a German course and the B1 exam?",
     "Integration courses and job-related language courses are offered by the adult education centre. "
     "You can take the B1 exam at the end of the course."),
    ("deutschkurs", "ar", "أين أجد دورة لغة ألمانية وامتحان B1؟",
     "تقدم الجامعة الشعبية دورات الاندماج ودورات اللغة المهنية."),
    ("deutschkurs", "uk", "Де знайти курс німецької мови та іспит B1?",
     "Інтеграційні та професійні мовні курси пропонує народний університет."),
    ("deutschkurs", "ru", "Где найти курс немецкого языка и экзамен B1?",
     "Интеграционные и профессиональные языковые курсы предлагает народный университет."),
    ("deutschkurs", "fa", "کجا کلاس زبان آلمانی و امتحان B1 پیدا کنم؟",
     "دوره‌های ادغام و دوره‌های زبان شغلی را دانشگاه مردمی ارائه می‌دهد."),
    ("deutschkurs", "tr", "Almanca kursu ve B1 sınavını nerede bulurum?",
     "Uyum kurslarını ve mesleki dil kurslarını halk eğitim merkezi sunuyor."),
    ("deutschkurs", "cs", "Kde najdu kurz němčiny a zkoušku B1?",
     "Integrační a profesní jazykové kurzy nabízí lidová univerzita."),
    # -- Beratung
    ("beratung", "de", "Wer berät mich kostenlos zu Schule, Arbeit und Aufenthalt?",
     "Der Jugendmigrationsdienst berät junge Menschen bis 27 Jahre kostenlos und vertraulich."),
    ("beratung", "en", "Who gives me free advice about school, work and residence?",
     "The youth migration service advises young people up to 27 free of charge and confidentially."),
    ("beratung", "ar", "من يقدم لي استشارة مجانية حول المدرسة والعمل والإقامة؟",
     "تقدم خدمة هجرة الشباب استشارة مجانية وسرية للشباب حتى سن 27."),
    ("beratung", "uk", "Хто безкоштовно консультує щодо школи, роботи та перебування?",
     "Молодіжна міграційна служба безкоштовно консультує молодь до 27 років."),
    ("beratung", "ru", "Кто бесплатно консультирует по вопросам школы, работы и пребывания?",
     "Молодёжная миграционная служба бесплатно консультирует молодых людей до 27 лет."),
    ("beratung", "fa", "چه کسی درباره مدرسه، کار و اقامت به من مشاوره رایگان می‌دهد؟",
     "خدمات مهاجرت جوانان به جوانان تا ۲۷ سال مشاوره رایگان می‌دهد."),
    ("beratung", "tr", "Okul, iş ve oturum hakkında bana kim ücretsiz danışmanlık verir?",
     "Gençlik Göç Servisi 27 yaşına kadar gençlere ücretsiz danışmanlık veriyor."),
    ("beratung", "cs", "Kdo mi zdarma poradí ohledně školy, práce a pobytu?",
     "Služba pro mladé migranty radí mladým lidem do 27 let zdarma."),
    # -- Notfall
    ("notfall", "de", "Was mache ich in einem Notfall?",
     "Ruf die 112 bei Feuer oder einem medizinischen Notfall und die 110 für die Polizei."),
    ("notfall", "en", "What do I do in an emergency?",
     "Call 112 for fire or a medical emergency and 110 for the police."),
    ("notfall", "ar", "ماذا أفعل في حالة الطوارئ؟",
     "اتصل بالرقم 112 في حالة الحريق أو الطوارئ الطبية و110 للشرطة."),
    ("notfall", "uk", "Що робити в надзвичайній ситуації?",
     "Телефонуй 112 у разі пожежі або 110 до поліції."),
    ("notfall", "ru", "Что делать в экстренной ситуации?", "Звони 112 при пожаре или 110 в полицию."),
    ("notfall", "fa", "در شرایط اضطراری چه کار کنم؟",
     "در آتش‌سوزی یا اورژانس پزشکی با ۱۱۲ و برای پلیس با ۱۱۰ تماس بگیر."),
    ("notfall", "tr", "Acil bir durumda ne yapmalıyım?",
     "Yangın veya tıbbi acil durumda 112'yi, polis için 110'u ara."),
    ("notfall", "cs", "Co mám dělat v nouzi?", "Při požáru nebo zdravotní nouzi volej 112, policii 110."),
)  # fmt: skip

DOCS = tuple(Document(id=i, lang=lang, question=q, answer=a) for i, lang, q, a in _ENTRIES)


@functools.lru_cache(maxsize=1)
def matcher() -> Matcher:
    return Matcher(DOCS, synonyms=SYNONYMS, keep_terms=KEEP_TERMS)


@functools.lru_cache(maxsize=1)
def lexical_matcher() -> Matcher:
    # The lexical part alone must already handle spelling problems.
    return Matcher(DOCS, synonyms=SYNONYMS, keep_terms=KEEP_TERMS, embedder=False)


SPELLING_CASES = [
    # typos
    ("de", "ausbildunk suchen", "ausbildung"),
    ("de", "praktikm machen wo", "praktikum"),
    ("de", "notfal was tun", "notfall"),
    ("de", "zeugnis anerkenung", "anerkennung"),
    ("en", "emergancy what to do", "notfall"),
    # missing umlauts / ae-spelling
    ("de", "deutsch prufung b1", "deutschkurs"),
    ("de", "Pruefung B1 wo", "deutschkurs"),
    ("de", "auslandisches zeugnis", "anerkennung"),
    # transliteration: Russian in Latin letters, glossary terms in other scripts
    ("ru", "praktika gde", "praktikum"),
    ("ru", "gde nayti kurs nemetskogo yazyka", "deutschkurs"),
    ("ru", "аусбилдунг", "ausbildung"),
    ("fa", "اوسبیلدونگ", "ausbildung"),
    ("ar", "wein el praktikum", "praktikum"),
    # mixed language
    ("de", "ich brauche help mit meinem Praktikum", "praktikum"),
    ("en", "where do I find an Ausbildungsplatz", "ausbildung"),
    ("tr", "Jobcenter staj", "praktikum"),
    # Arabic/Farsi letter variants, no hamza, ta marbuta written as ha
    ("ar", "اين اجد دوره لغه المانيه", "deutschkurs"),
    ("ar", "ماذا افعل في حاله الطوارئ", "notfall"),
    ("fa", "كارآموزي كجا", "praktikum"),
    # Turkish dotless/dotted I in capitals, Czech without diacritics, Ukrainian vs Russian
    ("tr", "ACIL DURUM NE YAPMALIYIM", "notfall"),
    ("cs", "kde najdu kurz nemciny", "deutschkurs"),
    ("uk", "де пройти практику", "praktikum"),
    ("ru", "где пройти практику", "praktikum"),
    # synonyms supplied by editors
    ("de", "Lehrstelle gesucht", "ausbildung"),
]


@pytest.mark.parametrize(("lang", "query", "expected"), SPELLING_CASES)
def test_top_match(lang: str, query: str, expected: str) -> None:
    result = matcher().search(query, lang)
    assert result.matches, query
    assert result.matches[0].id == expected
    assert result.matches[0].lang == lang


@pytest.mark.parametrize(("lang", "query", "expected"), SPELLING_CASES)
def test_top_match_lexical_only(lang: str, query: str, expected: str) -> None:
    result = lexical_matcher().search(query, lang)
    assert result.matches
    assert result.matches[0].id == expected


@pytest.mark.parametrize(
    ("query", "expected_id", "expected_lang"),
    [
        ("Где можно пройти практику?", "praktikum", "ru"),
        ("Wo kann ich ein Praktikum machen?", "praktikum", "de"),
        ("Nerede staj yapabilirim?", "praktikum", "tr"),
        ("Was mache ich in einem Notfall?", "notfall", "de"),
        ("praktika gde", "praktikum", "ru"),
    ],
)
def test_language_detected_when_not_given(query: str, expected_id: str, expected_lang: str) -> None:
    result = matcher().search(query, None)
    assert result.detected_lang == expected_lang
    assert result.matches[0].id == expected_id


def test_unknown_language_searches_everywhere() -> None:
    only_de_en = Matcher([d for d in DOCS if d.lang in ("de", "en")], keep_terms=KEEP_TERMS)
    result = only_de_en.search("Где можно пройти Praktikum?", "ru")
    assert result.matches[0].id == "praktikum"
    assert len({m.id for m in result.matches}) == len(result.matches)  # one version per entry


@pytest.mark.parametrize(
    ("lang", "query"),
    [
        ("de", "asdfgh"),
        ("de", "qwertzuiop"),
        ("en", "xkcd lol 12345"),
        ("ar", "ججججج"),
        ("de", "Wie wird das Wetter morgen in Paris?"),
        ("en", "what is the capital of australia"),
    ],
)
def test_nonsense_and_off_topic_are_not_answered(lang: str, query: str, knowledge: KnowledgeBase) -> None:
    shipped = knowledge.search(query, lang)
    assert shipped.decision is Decision.NONE, shipped
    # Six entries with a phrasing or two each: the confidence is fitted on knowledge bases
    # with many phrasings, like the shipped one, and is not calibrated for this one. Letters
    # mashed on the keyboard must still end in "none" here.
    if query.isalpha() and " " not in query:
        assert matcher().search(query, lang).decision is Decision.NONE


@pytest.mark.parametrize(
    ("lang", "query", "expected"),
    [
        ("de", "Wo kann ich ein Praktikum machen?", "praktikum"),
        ("en", "What do I do in an emergency?", "notfall"),
        ("ru", "Как признать мой иностранный диплом?", "anerkennung"),
    ],
)
def test_exact_question_is_answered(lang: str, query: str, expected: str) -> None:
    result = matcher().search(query, lang)
    assert result.decision is Decision.ANSWER
    assert result.matches[0].id == expected


def test_result_shape() -> None:
    result: MatchResult = matcher().search("Praktikum", "de", limit=3)
    assert 0 < len(result.matches) <= 3
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= m.confidence <= 1.0 for m in result.matches)
    assert sum(m.confidence for m in result.matches) <= 1.0 + 1e-9
    assert matcher().languages == frozenset({"de", "en", "ar", "uk", "ru", "fa", "tr", "cs"})


def test_empty_inputs() -> None:
    assert matcher().search("", "de").decision is Decision.NONE
    assert matcher().search("   ?!  ", "de").decision is Decision.NONE
    empty = Matcher([], embedder=False)
    result = empty.search("Praktikum", "de")
    assert result.matches == ()
    assert result.decision is Decision.NONE
    assert empty.languages == frozenset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wo finde ich einen Ausbildungsplatz in Pirna?", "de"),
        ("Where can I find an internship?", "en"),
        ("أين أجد تدريبا مهنيا؟", "ar"),
        ("Де я можу знайти практику?", "uk"),
        ("Где я могу найти практику?", "ru"),
        ("کجا می‌توانم کارآموزی پیدا کنم؟", "fa"),
        ("Nerede staj yapabilirim?", "tr"),
        ("Kde můžu najít praxi?", "cs"),
        # romanised Russian and Arabic
        ("praktika gde", "ru"),
        ("mne nuzhna pomosch s rabotoy", "ru"),
        ("wein el jobcenter", "ar"),
        # Arabizi and Finglish that lingua is sure are German, with German terms mixed in
        ("ana 3ayez a3mel ausbildung kam bakhod flus", "ar"),
        ("bade moot, ma 3ad fini kammel", "ar"),
        ("mikham beram kelas integration vali nemidunam koja", "fa"),
        # Czech and Turkish without accents stay theirs
        ("muzu se vyucit v nemecku a pak pracovat v cesku", "cs"),
        ("selam abi ausbildung icin ne lazim, okula da gidecek miyim", "tr"),
        # Russian or Ukrainian in Latin letters without a telling word: unsure, not Persian
        ("meni 16 i ja vzhe tyzhden splju na vulytsi v parku", None),
        # too short or no letters: unsure
        ("ok", None),
        ("", None),
        ("12345 !!", None),
        ("👍👍", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_detect_language_respects_candidates() -> None:
    assert detect_language("Где я могу найти практику?", candidates=("de", "en")) != "ru"
    assert detect_language("Где я могу найти практику?", candidates=("ru", "uk")) == "ru"


def test_place_names_say_nothing_of_the_language_even_without_kept_terms() -> None:
    """A town's name is left out when the language is told, whether or not the matcher
    also has glossary terms to leave out."""
    named = Matcher(DOCS, names=["Pirna", "Sebnitz"], embedder=False)
    plain = Matcher(DOCS, embedder=False)
    text = "Kurse in Pirna und Sebnitz"
    assert plain.tells_language(text)
    assert not named.tells_language(text)

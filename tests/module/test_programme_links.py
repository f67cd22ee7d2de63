"""The module block's list of the programme's modules: titles and links checked as author rules."""
from kkn_xblocks import module_rules

BASE = {"module_id": "modul-1", "programme_modules": ["modul-1", "modul-2"], "completion_rule": "task"}


def test_titles_and_links_of_the_programmes_modules_pass(sv_gettext):
    values = {**BASE, "module_titles": {"modul-1": "Ett", "modul-2": "Två"},
              "module_links": {"modul-2": "/courses/course-v1:KKN+NLU101-M2+2027/about"}}
    assert module_rules.module_problems(values, sv_gettext) == {}


def test_a_module_outside_the_programme_or_a_bad_link_is_refused_in_swedish(sv_gettext):
    values = {**BASE, "module_titles": {"modul-9": "Nio"}, "module_links": {"modul-2": "javascript:alert(1)"}}
    problems = module_rules.module_problems(values, sv_gettext)
    assert problems["module_titles"] == "Dessa moduler hör inte till utbildningens moduler: modul-9."
    assert problems["module_links"].startswith("En länk") and "modul-2" in problems["module_links"]
    assert module_rules.safe_link("javascript:alert(1)") == "" and module_rules.safe_link("//evil.example") == ""

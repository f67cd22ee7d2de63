"""The comparison of a build manifest with what Studio and the LMS report (plain functions)."""
from course_export.push import Difference, compare_blocks, compare_validation

MANIFEST = {"course_id": "course-v1:KKN+NOV101+2026",
            "counts": {"chapter": 1, "sequential": 2, "vertical": 2, "html": 1, "kkn_exam": 1},
            "graded_subsections": [{"url_name": "s2", "format": "Slutprov"}]}


def blocks(*extra, graded=True, fmt="Slutprov", drop=()):
    listed = [{"type": "course", "block_id": "course"},
              {"type": "chapter", "block_id": "ch1"},
              {"type": "sequential", "block_id": "s1"},
              {"type": "sequential", "block_id": "s2", "graded": graded, "format": fmt},
              {"type": "vertical", "block_id": "u1"}, {"type": "vertical", "block_id": "u2"},
              {"type": "html", "block_id": "h1"}, {"type": "kkn_exam", "block_id": "exam"}]
    return [block for block in listed if block["block_id"] not in drop] + list(extra)


def valid(**changes):
    data = {"is_self_paced": False, "dates": {"has_start_date": True, "has_end_date": True},
            "assignments": {"total_number": 2, "total_visible": 2, "assignments_with_dates_before_start": [],
                            "assignments_with_dates_after_end": []}}
    data.update(changes)
    return data


def test_identical_course_has_no_differences():
    assert compare_blocks(MANIFEST, blocks()) == []
    assert compare_validation(MANIFEST, valid()) == []


def test_a_missing_component_and_an_unexpected_one_are_both_differences():
    found = compare_blocks(MANIFEST, blocks({"type": "problem", "block_id": "p"}, drop=("exam",)))
    assert Difference("kkn_exam", 1, 0) in found
    assert Difference("problem", 0, 1) in found


def test_graded_subsection_lost_its_grading_or_its_format():
    assert [d.in_studio for d in compare_blocks(MANIFEST, blocks(graded=False))] == ["not graded"]
    assert [d.in_studio for d in compare_blocks(MANIFEST, blocks(fmt="Homework"))] == ["Homework"]
    missing = compare_blocks(MANIFEST, blocks({"type": "sequential", "block_id": "s3"}, drop=("s2",)))
    assert [d.in_studio for d in missing] == ["missing"]


def test_counts_that_are_not_blocks_are_not_compared():
    manifest = {**MANIFEST, "counts": {**MANIFEST["counts"], "static": 4}}
    assert compare_blocks(manifest, blocks()) == []


def test_validation_catches_subsections_dates_and_due_dates_outside_the_course():
    found = compare_validation(MANIFEST, valid(
        dates={"has_start_date": True, "has_end_date": False},
        assignments={"total_number": 1, "assignments_with_dates_before_start": [],
                     "assignments_with_dates_after_end": [{"id": "x", "display_name": "Slutprov"}]}))
    assert [d.what for d in found] == ["subsections (Studio validation)", "course end date",
                                       "subsections due after the course ends"]
    assert found[0].built == 2 and found[0].in_studio == 1
    assert found[2].in_studio == "1 (Slutprov)"

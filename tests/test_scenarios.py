"""Every workbench scenario of the local preview renders, for every local user (smoke test)."""
import pytest
from django.conf import settings
from workbench.scenarios import get_scenarios, init_scenarios

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario_ids():
    init_scenarios()
    ids = sorted(sid for sid in get_scenarios() if sid.split(".")[0] not in settings.EXCLUDED_XBLOCKS)
    assert ids, "no kkn scenarios found"
    return ids


def test_the_index_lists_only_our_scenarios(client, scenario_ids):
    html = client.get("/").content.decode()
    for sid in scenario_ids:
        assert f"/scenario/{sid}/" in html
    assert "thumbs" not in html and "helloworld" not in html


def test_every_scenario_renders_for_every_user(client, scenario_ids):
    for sid in scenario_ids:
        for user in settings.KKN_LOCAL_USERS:
            response = client.get(f"/scenario/{sid}/?student={user}")
            assert response.status_code == 200, (sid, user)
            html = response.content.decode()
            assert 'lang="sv"' in html and 'id="kkn-preview-student"' in html
            assert "No such view" not in html and "Traceback" not in html

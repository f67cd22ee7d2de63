"""Push settings: options over environment over config file; the secret never shows."""
import json
import os
import pickle

import pytest

from course_export.push_config import ConfigError, Secret, load_settings
from tests.push.conftest import COURSE, environ_for, parse_push

SECRET = "s3cr3t-client-value"


def options(*argv):
    return parse_push(["kurs.tar.gz", "--course-id", COURSE, *argv])


def write_config(path, **values):
    path.write_text("".join(f"{key}: {value}\n" for key, value in values.items()), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_option_beats_environment_beats_config_file(tmp_path):
    config = write_config(tmp_path / "push.yaml", studio_url="https://file-studio.example", lms_url="https://file-lms.example",
                          client_id="file-id", client_secret="file-secret", max_upload_mb=100)
    env = {"KKN_PUSH_CONFIG": str(config), "KKN_LMS_URL": "https://env-lms.example/", "KKN_CLIENT_SECRET": "env-secret"}

    settings = load_settings(options("--lms-url", "https://option-lms.example", "--client-id", "option-id"), env)

    assert settings.lms_url == "https://option-lms.example"
    assert settings.client_id == "option-id"
    assert settings.client_secret.reveal() == "env-secret"
    assert settings.studio_url == "https://file-studio.example"
    assert settings.max_upload_bytes == 100 * 1024 * 1024
    assert settings.source_of("lms_url") == "--lms-url"
    assert settings.source_of("client_secret") == "KKN_CLIENT_SECRET"
    assert settings.source_of("studio_url") == f"{config}: studio_url"


def test_defaults_follow_tutor(tmp_path):
    settings = load_settings(options(), {"KKN_STUDIO_URL": "https://s.example", "KKN_LMS_URL": "https://l.example",
                                         "KKN_CLIENT_ID": "id", "KKN_CLIENT_SECRET": "x", "HOME": str(tmp_path)})
    assert settings.max_upload_bytes == 250 * 1024 * 1024


def test_missing_settings_are_listed_with_every_way_to_give_them(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(options(), {"HOME": str(tmp_path), "KKN_LMS_URL": "https://l.example"})
    text = str(caught.value)
    for piece in ("studio_url: give --studio-url, set KKN_STUDIO_URL", "client_id: give --client-id, set KKN_CLIENT_ID",
                  "client_secret: give --client-secret, set KKN_CLIENT_SECRET"):
        assert piece in text
    assert "lms_url" not in text


def test_config_file_errors_name_the_file_and_the_key(tmp_path):
    config = write_config(tmp_path / "push.yaml", studio_url="https://s.example", client_sercet="typo")
    with pytest.raises(ConfigError) as caught:
        load_settings(options("--config", str(config)), {})
    assert str(config) in str(caught.value) and "client_sercet" in str(caught.value)

    with pytest.raises(ConfigError) as caught:
        load_settings(options("--config", str(tmp_path / "absent.yaml")), {})
    assert "absent.yaml does not exist" in str(caught.value)

    broken = tmp_path / "broken.yaml"
    broken.write_text("studio_url: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(options("--config", str(broken)), {})
    assert "is not valid YAML" in str(caught.value)


def test_bad_values_say_where_they_came_from(tmp_path):
    base = {"HOME": str(tmp_path), "KKN_LMS_URL": "https://l.example", "KKN_CLIENT_ID": "id", "KKN_CLIENT_SECRET": "x"}
    with pytest.raises(ConfigError) as caught:
        load_settings(options(), {**base, "KKN_STUDIO_URL": "studio.example.org"})
    assert "KKN_STUDIO_URL: 'studio.example.org' is not a base URL" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_settings(options("--max-upload-mb", "lots"), {**base, "KKN_STUDIO_URL": "https://s.example"})
    assert "--max-upload-mb: 'lots' must be a positive number." in str(caught.value)


def test_secret_file_is_read_and_a_readable_one_is_warned_about(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    secret_file.chmod(0o644)
    warnings = []
    env = {"HOME": str(tmp_path), "KKN_STUDIO_URL": "https://s.example", "KKN_LMS_URL": "https://l.example",
           "KKN_CLIENT_ID": "id"}

    settings = load_settings(options("--client-secret-file", str(secret_file)), env, warn=warnings.append)

    assert settings.client_secret.reveal() == SECRET
    assert warnings and "chmod 600" in warnings[0] and SECRET not in warnings[0]
    secret_file.chmod(0o600)
    warnings.clear()
    load_settings(options("--client-secret-file", str(secret_file)), env, warn=warnings.append)
    assert warnings == []


def test_the_secret_never_shows_in_repr_str_or_pickle(tmp_path):
    settings = load_settings(options(), {"HOME": str(tmp_path), "KKN_STUDIO_URL": "https://s.example",
                                         "KKN_LMS_URL": "https://l.example", "KKN_CLIENT_ID": "id",
                                         "KKN_CLIENT_SECRET": SECRET})
    for text in (repr(settings), str(settings), repr(settings.client_secret), str(settings.client_secret),
                 f"{settings.client_secret}"):
        assert SECRET not in text
    with pytest.raises(TypeError):
        pickle.dumps(settings.client_secret)
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")


def test_the_secret_and_tokens_never_reach_the_output_of_any_outcome(edx, archive, run_push):
    """Run the push through success and many failures; no secret and no issued token is printed."""
    outputs = []
    outputs.append(run_push(archive, "--json").output)  # course missing
    edx.add_course(COURSE)
    outputs.append(run_push(archive).output)
    outputs.append(run_push(archive, "--json").output)
    outputs.append(run_push(archive, env=environ_for(edx, KKN_CLIENT_SECRET=SECRET + "-wrong")).output)
    edx.faults.status_errors = [500] * 10
    outputs.append(run_push(archive).output)
    edx.faults.status_errors = []
    edx.faults.upload_drop_after = 10
    outputs.append(run_push(archive, "--json").output)

    issued = [token for token in edx.tokens]
    assert issued
    for text in outputs:
        assert SECRET not in text
        assert all(token not in text for token in issued)
    json.loads(outputs[0])  # and the JSON is still JSON


def test_settings_missing_is_exit_2_with_the_fix(archive, run_push):
    result = run_push(archive, env={"HOME": "/nonexistent"})
    assert result.code == 2
    assert "Settings missing for the push" in result.stderr and "KKN_STUDIO_URL" in result.stderr


def test_config_file_with_secret_readable_by_others_warns(tmp_path, edx, archive, run_push):
    edx.add_course(COURSE)
    config = write_config(tmp_path / "push.yaml", studio_url=edx.studio_url, lms_url=edx.lms_url,
                          client_id=edx.client_id, client_secret=edx.client_secret)
    os.chmod(config, 0o644)

    result = run_push(archive, env={"KKN_PUSH_CONFIG": str(config), "HOME": "/nonexistent"})

    assert result.code == 0, result.output
    assert f"chmod 600 {config}" in result.stderr

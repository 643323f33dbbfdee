import pytest

from delivery.config import SmtpConfig


def test_no_host_means_no_smtp() -> None:
    assert SmtpConfig.from_env({}) is None
    assert SmtpConfig.from_env({"AVAL_SMTP_HOST": "  ", "AVAL_SMTP_PORT": "25"}) is None


def test_reads_every_variable() -> None:
    cfg = SmtpConfig.from_env(
        {
            "AVAL_SMTP_HOST": "mail.example.com",
            "AVAL_SMTP_PORT": "2525",
            "AVAL_SMTP_USER": "aval",
            "AVAL_SMTP_PASSWORD": "s3cret",
            "AVAL_SMTP_TLS": "TLS",
            "AVAL_MAIL_FROM": "Help Desk <help@example.com>",
        }
    )
    assert cfg == SmtpConfig(
        host="mail.example.com",
        port=2525,
        user="aval",
        password="s3cret",
        tls="tls",
        mail_from="Help Desk <help@example.com>",
    )


def test_defaults_follow_the_tls_mode() -> None:
    cfg = SmtpConfig.from_env({"AVAL_SMTP_HOST": "mail"})
    assert cfg is not None
    assert (cfg.port, cfg.tls, cfg.user, cfg.password) == (587, "starttls", None, None)
    assert cfg.mail_from == "Aval <aval@localhost>"
    implicit = SmtpConfig.from_env({"AVAL_SMTP_HOST": "mail", "AVAL_SMTP_TLS": "tls"})
    plain = SmtpConfig.from_env({"AVAL_SMTP_HOST": "mail", "AVAL_SMTP_TLS": "none"})
    assert implicit is not None and implicit.port == 465
    assert plain is not None and plain.port == 25


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        ({"AVAL_SMTP_TLS": "ssl"}, "AVAL_SMTP_TLS"),
        ({"AVAL_SMTP_PORT": "smtp"}, "AVAL_SMTP_PORT"),
        ({"AVAL_SMTP_PORT": "0"}, "AVAL_SMTP_PORT"),
        ({"AVAL_SMTP_PORT": "70000"}, "AVAL_SMTP_PORT"),
        ({"AVAL_MAIL_FROM": "Aval"}, "AVAL_MAIL_FROM"),
    ],
)
def test_bad_values_are_reported_by_variable_name(env: dict[str, str], mentions: str) -> None:
    with pytest.raises(ValueError, match=mentions):
        SmtpConfig.from_env({"AVAL_SMTP_HOST": "mail", **env})


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(ValueError, match="tls"):
        SmtpConfig(host="mail", tls="ssl")
    with pytest.raises(ValueError, match="port"):
        SmtpConfig(host="mail", port=0)


def test_password_stays_out_of_repr() -> None:
    assert "s3cret" not in repr(SmtpConfig(host="mail", user="aval", password="s3cret"))

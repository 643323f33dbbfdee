"""What an outbox message says, in its recipient's language: the e-mail (plain text plus
an HTML alternative) and the Web Push notification.

Every value typed by a user (ticket subject, action name, note, reason, names) is escaped
in the HTML part; the plain text part carries it as typed."""

from __future__ import annotations

import dataclasses
import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from config import SUPPORTED_LOCALES
from delivery.email_sender import EmailMessage
from delivery.webpush_sender import PushAction, PushPayload
from domain.link_tokens import LINK_KEYS
from domain.messages import N_
from domain.model import ApprovalRule, OutboxMessage, RequestState
from i18n_catalog import translations
from i18n_time import format_when

REQUEST_CREATED = "request_created"
REQUEST_EVALUATED = "request_evaluated"
REQUEST_REMINDER = "request_reminder"
STANDING_IN = N_("{name} (standing in for {absent})")


@dataclass(frozen=True)
class Line:
    """A sentence of the message: an English msgid and the values put into it."""

    msgid: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class Field:
    label: str  # msgid
    value: str  # user text, as typed
    value_is_msgid: bool = False  # a word of ours (a decision), translated


@dataclass(frozen=True)
class Button:
    label: str  # msgid
    url: str
    color: str


@dataclass(frozen=True)
class Content:
    subject: Line
    intro: Line
    fields: list[Field]
    link_label: str  # msgid
    url: str
    buttons: tuple[Button, ...] = ()


def message_locale(message: OutboxMessage, default_locale: str) -> str:
    locale = message.locale or default_locale
    return locale if locale in SUPPORTED_LOCALES else default_locale


def link(message: OutboxMessage, base_url: str) -> str:
    """The exact page the message is about: a request to evaluate, a ticket."""
    return _absolute(base_url, str(message.payload.get("path") or "/"))


def without_links(message: OutboxMessage) -> OutboxMessage:
    """The message without the manager's one-decision links (for admins' eyes)."""
    if not any(key in message.payload for key in LINK_KEYS):
        return message
    payload = {key: value for key, value in message.payload.items() if key not in LINK_KEYS}
    return dataclasses.replace(message, payload=payload)


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + (path if path.startswith("/") else "/" + path)


def decision_links(message: OutboxMessage, base_url: str) -> dict[str, str]:
    """The manager's Aprovar / Reprovar pages (spec §11), by decision, when the message
    carries them."""
    found = {}
    for decision in ("approve", "reject"):
        path = message.payload.get(f"{decision}_path")
        if isinstance(path, str) and path:
            found[decision] = _absolute(base_url, path)
    return found


def _text(payload: Mapping[str, object], key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value)


def _when(payload: Mapping[str, object], key: str, locale: str, zone: str | None = None) -> str:
    """An instant of the payload in the recipient's language and time zone (the zone the
    person had picked when the message was queued — the payload's, unless `zone` is given;
    none: the installation's)."""
    raw = _text(payload, key)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    return format_when(moment, locale, zone or _text(payload, "timezone") or None)


_BUTTONS = {"approve": (N_("Approve"), "#1b873f"), "reject": (N_("Reject"), "#c10015")}


def _progress_fields(p: Mapping[str, object], locale: str) -> list[Field]:
    """Under a multi-answer rule: "1 de 2 aprovações" and who answered, when (in the
    reader's language and zone), as the pages show it. The payload names the latest few
    answers (domain.routing.MAIL_ANSWERS_MAX) and counts the others."""
    progress = p.get("progress")
    if not isinstance(progress, Mapping):
        return []
    gettext = Translator(locale)
    approvals, needed = int(progress.get("approvals") or 0), int(progress.get("needed") or 0)
    if progress.get("rule") == ApprovalRule.STAGES:
        count = gettext(N_("{count} of {needed} stages approved")).format(count=approvals, needed=needed)
    elif needed == 1:
        count = gettext(N_("{count} of 1 approval")).format(count=approvals)
    else:
        count = gettext(N_("{count} of {needed} approvals")).format(count=approvals, needed=needed)
    fields = [Field(N_("Approvals so far"), count)]
    shown = [a for a in progress.get("answers") or [] if isinstance(a, Mapping)]
    lines = [_answer_line(answer, gettext, locale, _text(p, "timezone") or None) for answer in shown]
    earlier = int(progress.get("answers_count") or 0) - len(shown)
    if earlier > 0:
        lines.insert(0, gettext(N_("… {count} earlier answers (all of them on the request's page)")).format(
            count=earlier))
    if lines:
        fields.append(Field(N_("Answers"), "\n".join(lines)))
    return fields


def _answer_line(answer: Mapping[str, object], gettext: Translator, locale: str, zone: str | None) -> str:
    name = _text(answer, "name")
    if _text(answer, "on_behalf_of"):
        name = gettext(N_("{name} (standing in for {absent})")).format(name=name, absent=_text(answer, "on_behalf_of"))
    when = _when(answer, "at", locale, zone)
    if answer.get("approved"):
        line = gettext(N_("{name} approved at {when}")).format(name=name, when=when)
    else:
        line = gettext(N_("{name} rejected at {when}")).format(name=name, when=when)
    reason = _text(answer, "reason")
    return f"{line} — {reason}" if reason else line


def _request_created(message: OutboxMessage, url: str, base_url: str, locale: str) -> Content:
    p = message.payload
    values = {
        "number": _text(p, "ticket_number"),
        "subject": _text(p, "ticket_subject"),
        "action": _text(p, "action_name"),
        "requester": _text(p, "requested_by_name"),
    }
    fields = [Field(N_("Ticket"), f"#{values['number']} — {values['subject']}"), Field(N_("Action"), values["action"])]
    if _text(p, "action_description"):
        fields.append(Field(N_("Description"), _text(p, "action_description")))
    if _text(p, "note"):
        fields.append(Field(N_("Note from the agent"), _text(p, "note")))
    fields.append(Field(N_("Requested by"), values["requester"]))
    if _text(p, "deadline"):
        fields.append(Field(N_("Approve by"), _when(p, "deadline", locale)))
    fields += _progress_fields(p, locale)
    return Content(
        subject=Line(N_("[Aval] Ticket #{number}: approval requested — {action}"), values),
        intro=Line(N_("{requester} asks for your approval of the action “{action}” on ticket #{number} — {subject}."),
                   values),
        fields=fields,
        link_label=N_("Approve or reject it here"),
        url=url,
        buttons=_decision_buttons(message, base_url),
    )


def _decision_buttons(message: OutboxMessage, base_url: str) -> tuple[Button, ...]:
    return tuple(
        Button(_BUTTONS[decision][0], link, _BUTTONS[decision][1])
        for decision, link in decision_links(message, base_url).items()
    )


def _request_evaluated(message: OutboxMessage, url: str, locale: str) -> Content:
    p = message.payload
    state = _text(p, "state")
    values = {
        "number": _text(p, "ticket_number"),
        "subject": _text(p, "ticket_subject"),
        "action": _text(p, "action_name"),
        "name": _text(p, "decided_by_name"),
        "when": _when(p, "decided_at", locale),
    }
    absent = _text(p, "decided_on_behalf_of_name")
    if absent:  # a stand-in decided: "Fábio (substituindo Márcia)"
        values["name"] = translations(locale).gettext(STANDING_IN).format(name=values["name"], absent=absent)
    if state == RequestState.APPROVED:
        subject = N_("[Aval] Ticket #{number}: action {action} approved by {name}")
        intro = N_("{name} approved the action “{action}” on ticket #{number} — {subject}, on {when}.")
        decision = N_("The action was approved.")
    elif state == RequestState.REJECTED:
        subject = N_("[Aval] Ticket #{number}: action {action} rejected by {name}")
        intro = N_("{name} rejected the action “{action}” on ticket #{number} — {subject}, on {when}.")
        decision = N_("The action was rejected.")
    elif state == RequestState.EXPIRED:
        return _request_expired(p, values, url, locale)
    else:
        subject = N_("[Aval] Ticket #{number}: action {action} cancelled by {name}")
        intro = N_("{name} cancelled the action “{action}” on ticket #{number} — {subject}, on {when}.")
        decision = N_("The action was cancelled.")
    fields = [
        Field(N_("Ticket"), f"#{values['number']} — {values['subject']}"),
        Field(N_("Action"), values["action"]),
        Field(N_("Decision"), decision, value_is_msgid=True),
        Field(N_("Decided by"), values["name"]),
        Field(N_("Decided at"), values["when"]),
    ]
    if state == RequestState.REJECTED:
        reason = _text(p, "reason")
        fields.append(Field(N_("Reason"), reason) if reason else Field(N_("Reason"), N_("No reason given."), True))
    fields += _progress_fields(p, locale)
    if _text(p, "note"):
        fields.append(Field(N_("Note of the request"), _text(p, "note")))
    return Content(
        subject=Line(subject, values),
        intro=Line(intro, values),
        fields=fields,
        link_label=N_("Open the ticket"),
        url=url,
    )


def _request_expired(p: Mapping[str, object], values: dict[str, str], url: str, locale: str) -> Content:
    """Its deadline passed while it awaited: the agents are told as for an evaluation."""
    fields = [
        Field(N_("Ticket"), f"#{values['number']} — {values['subject']}"),
        Field(N_("Action"), values["action"]),
        Field(N_("Decision"), N_("The action expired: its approval deadline passed unanswered."), value_is_msgid=True),
        Field(N_("Expired at"), values["when"]),
        *_progress_fields(p, locale),
    ]
    if _text(p, "note"):
        fields.append(Field(N_("Note of the request"), _text(p, "note")))
    return Content(
        subject=Line(N_("[Aval] Ticket #{number}: action {action} expired — deadline passed"), values),
        intro=Line(N_("The action “{action}” on ticket #{number} — {subject} expired on {when}: "
                      "no manager answered before its deadline."), values),
        fields=fields,
        link_label=N_("Open the ticket"),
        url=url,
    )


def _request_reminder(message: OutboxMessage, url: str, base_url: str, locale: str) -> Content:
    p = message.payload
    values = {
        "number": _text(p, "ticket_number"),
        "subject": _text(p, "ticket_subject"),
        "action": _text(p, "action_name"),
        "when": _when(p, "requested_at", locale),
    }
    fields = [Field(N_("Ticket"), f"#{values['number']} — {values['subject']}"), Field(N_("Action"), values["action"])]
    if _text(p, "note"):
        fields.append(Field(N_("Note from the agent"), _text(p, "note")))
    fields.append(Field(N_("Requested at"), values["when"]))
    if _text(p, "deadline"):
        fields.append(Field(N_("Approve by"), _when(p, "deadline", locale)))
    fields += _progress_fields(p, locale)
    return Content(
        subject=Line(N_("[Aval] Reminder: ticket #{number} awaits your approval — {action}"), values),
        intro=Line(N_("A reminder: the action “{action}” on ticket #{number} — {subject}, requested on {when}, "
                      "still awaits your approval."), values),
        fields=fields,
        link_label=N_("Approve or reject it here"),
        url=url,
        buttons=_decision_buttons(message, base_url),
    )


def _generic(message: OutboxMessage, url: str) -> Content:
    # A kind this version does not know (written by a newer one): still say something useful.
    p = message.payload
    values = {"number": _text(p, "ticket_number"), "action": _text(p, "action_name")}
    return Content(
        subject=Line(N_("[Aval] Ticket #{number}: {action}"), values),
        intro=Line(N_("There is news about the action “{action}” on ticket #{number}."), values),
        fields=[],
        link_label=N_("Open it here"),
        url=url,
    )


def content(message: OutboxMessage, base_url: str, locale: str) -> Content:
    url = link(message, base_url)
    if message.kind == REQUEST_CREATED:
        return _request_created(message, url, base_url, locale)
    if message.kind == REQUEST_EVALUATED:
        return _request_evaluated(message, url, locale)
    if message.kind == REQUEST_REMINDER:
        return _request_reminder(message, url, base_url, locale)
    return _generic(message, url)


def _fill(line: Line, gettext: Translator) -> str:
    return gettext(line.msgid).format(**line.values)


def _fill_html(line: Line, gettext: Translator) -> str:
    # Escape the sentence first and the values separately: a value is never read as markup
    # and never as a placeholder.
    return html.escape(gettext(line.msgid)).format(**{k: html.escape(v) for k, v in line.values.items()})


class Translator:
    def __init__(self, locale: str) -> None:
        self._translations = translations(locale)

    def __call__(self, msgid: str) -> str:
        return self._translations.gettext(msgid)


def render_email(message: OutboxMessage, base_url: str, default_locale: str) -> EmailMessage:
    locale = message_locale(message, default_locale)
    gettext = Translator(locale)
    body = content(message, base_url, locale)
    footer = gettext("This message was sent by Aval, the help desk.")
    text_lines = [_fill(body.intro, gettext), ""]
    text_lines += [f"{gettext(f.label)}: {_value(f, gettext)}" for f in body.fields]
    if body.buttons:
        text_lines += [""] + [f"{gettext(b.label)}: {b.url}" for b in body.buttons]
    text_lines += ["", f"{gettext(body.link_label)}: {body.url}", "", "-- ", footer, ""]
    rows = "\n".join(
        f'<tr><th align="left" valign="top" style="padding:2px 12px 2px 0">{html.escape(gettext(f.label))}</th>'
        f'<td style="white-space:pre-wrap">{html.escape(_value(f, gettext))}</td></tr>'
        for f in body.fields
    )
    lang = "pt-BR" if locale == "pt_BR" else locale
    html_part = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><body style="font-family:sans-serif;line-height:1.4">\n'
        f"<p>{_fill_html(body.intro, gettext)}</p>\n"
        f"<table>\n{rows}\n</table>\n"
        f"{_buttons_html(body.buttons, gettext)}"
        f'<p><a href="{html.escape(body.url, quote=True)}">{html.escape(gettext(body.link_label))}</a></p>\n'
        f'<p style="color:#666;font-size:small">{html.escape(footer)}</p>\n'
        "</body></html>\n"
    )
    return EmailMessage(
        to=message.recipient_email,
        subject=_fill(body.subject, gettext),
        text="\n".join(text_lines),
        html=html_part,
        message_id=email_message_id(message),
    )


def _buttons_html(buttons: tuple[Button, ...], gettext: Translator) -> str:
    """Links drawn as buttons; styles inline, as mail clients drop style sheets."""
    if not buttons:
        return ""
    links = " ".join(
        f'<a href="{html.escape(b.url, quote=True)}" data-decision="{html.escape(b.label.lower())}" '
        f'style="display:inline-block;padding:10px 22px;margin:4px 8px 4px 0;border-radius:4px;'
        f'background:{b.color};color:#ffffff;text-decoration:none;font-weight:bold">{html.escape(gettext(b.label))}</a>'
        for b in buttons
    )
    return f"<p>{links}</p>\n"


def email_message_id(message: OutboxMessage) -> str:
    """The left part of the Message-ID of this outbox row's e-mail: stable across retries,
    unique across installations (the row's creation instant is in it)."""
    seed = f"{message.id}|{message.dedup_key}|{message.created_at.isoformat()}"
    return f"aval.{message.id}.{hashlib.sha256(seed.encode()).hexdigest()[:20]}"


def _value(field: Field, gettext: Translator) -> str:
    return gettext(field.value) if field.value_is_msgid else field.value


def render_push(message: OutboxMessage, base_url: str, default_locale: str) -> PushPayload:
    locale = message_locale(message, default_locale)
    gettext = Translator(locale)
    url = link(message, base_url)
    p = message.payload
    values = {
        "number": _text(p, "ticket_number"),
        "subject": _text(p, "ticket_subject"),
        "action": _text(p, "action_name"),
        "requester": _text(p, "requested_by_name"),
    }
    if message.kind == REQUEST_CREATED:
        title = gettext("Action awaiting your approval")
        body = _fill(Line(N_("Ticket #{number} — {subject}: {requester} asks for approval of {action}."), values),
                     gettext)
        return PushPayload(title=title, body=body, url=url, actions=_push_actions(message, base_url, gettext))
    if message.kind == REQUEST_REMINDER:
        title = gettext("Reminder: an action awaits your approval")
        body = _fill(Line(N_("Ticket #{number} — {subject}: {action} still awaits your approval."), values), gettext)
        return PushPayload(title=title, body=body, url=url, actions=_push_actions(message, base_url, gettext))
    full = content(message, base_url, locale)
    return PushPayload(title=_fill(full.subject, gettext).removeprefix("[Aval] "), body=_fill(full.intro, gettext),
                       url=url)


def _push_actions(message: OutboxMessage, base_url: str, gettext: Translator) -> tuple[PushAction, ...]:
    """Aprovar / Reprovar buttons of a notification: each opens the manager's page."""
    return tuple(
        PushAction(action=decision, title=gettext(_BUTTONS[decision][0]), url=link)
        for decision, link in decision_links(message, base_url).items()
    )

"""E-mail over SMTP with STARTTLS (smtplib). The Message-ID is derived from the idempotency key so that a
retried send is recognisable as the same message by the receiving mail system."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from alerts.errors import NotifierError


class EmailNotifier:
    kind = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        starttls: bool = True,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.sender, self.recipients = sender, list(recipients)
        self.starttls, self.username, self._password = starttls, username, password
        self.timeout_s = timeout_s
        self._ssl_context = ssl_context

    def build(self, message: Mapping[str, Any], *, idempotency_key: str, now: datetime) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = str(message.get("title", "BrandGuard"))
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Date"] = format_datetime(now)
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        mail["Message-ID"] = f"<{digest}@brandguard>"
        mail["X-BrandGuard-Idempotency-Key"] = idempotency_key
        mail.set_content(str(message.get("text", "")))
        if message.get("html"):  # briefings: the HTML brief with its SVG charts, text as the fallback part
            mail.add_alternative(str(message["html"]), subtype="html")
        return mail

    def send(self, message: Mapping[str, Any], *, idempotency_key: str, now: datetime) -> str:
        mail = self.build(message, idempotency_key=idempotency_key, now=now)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                smtp.ehlo()
                if self.starttls:
                    # No plain-text fallback: a server that cannot STARTTLS must not get credentials.
                    smtp.starttls(context=self._ssl_context or ssl.create_default_context())
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self._password or "")
                refused = smtp.send_message(mail)
        except smtplib.SMTPNotSupportedError as exc:
            raise NotifierError(f"smtp: STARTTLS not supported by {self.host}", permanent=True) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise NotifierError(f"smtp: authentication failed ({exc.smtp_code})", permanent=True) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise NotifierError("smtp: all recipients refused", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            raise NotifierError(f"smtp: {exc.smtp_code} {exc.smtp_error!r}", permanent=permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise NotifierError(f"smtp: {type(exc).__name__}: {exc}", permanent=False) from exc
        if refused:
            return f"smtp: sent, {len(refused)} recipient(s) refused"
        return "smtp: sent"

    def close(self) -> None:
        return None

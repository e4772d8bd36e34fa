"""The server-side TLS context of the SMTP listeners (STARTTLS and implicit TLS)."""

from __future__ import annotations

import ssl

from postroom.config import ConfigError, SMTPConfig


def load_tls_context(config: SMTPConfig) -> ssl.SSLContext | None:
    """A context with the configured certificate, or None when none is configured.

    Raises ConfigError naming the setting when the files cannot be loaded, so a bad
    certificate stops start-up instead of failing every STARTTLS later.
    """
    if not config.tls_cert_file:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # RFC 8314 §4.1 and RFC 8996 §2: nothing older than TLS 1.2.
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # Clients are not asked for certificates (RFC 3207 §4.1 leaves it to the server).
    context.verify_mode = ssl.CERT_NONE
    try:
        context.load_cert_chain(config.tls_cert_file, config.tls_key_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"smtp.tls_cert_file, smtp.tls_key_file: cannot load {config.tls_cert_file!r}"
            f" with key {config.tls_key_file!r}: {exc}"
        ) from exc
    return context

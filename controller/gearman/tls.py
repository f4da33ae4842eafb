"""The TLS context of every connection to a Gearman server: workers, admin, clients.

As gear does it: our certificate for the server to verify, the configured CA
as the only trust anchor, and no host-name check (a Gearman server's
certificate is issued by the operator's own CA, and gear checks none, so
certificates that work for gear workers must work here too).
"""

from __future__ import annotations

import ssl

from controller.config import TLSConfig
from controller.errors import ConfigError


def client_context(tls: TLSConfig) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_cert_chain(str(tls.cert), str(tls.key))
        context.load_verify_locations(str(tls.ca))
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"gearman.tls: cannot load the TLS files (cert {tls.cert}, key {tls.key}, ca {tls.ca}): {exc}"
        ) from None
    return context

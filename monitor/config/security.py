"""Settings that are valid but weaken a defence: reported as warnings by ``config check`` and
``brandguard doctor`` rather than refused (an operator may mean them, but should say so knowingly)."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.config.sections import Config

METADATA_ADDRESS = ipaddress.ip_address("169.254.169.254")


def security_warnings(config: Config) -> list[str]:
    warnings: list[str] = []
    for i, text in enumerate(config.daemon.allow_networks):
        network = ipaddress.ip_network(text, strict=False)
        key = f"daemon.allow_networks[{i}]"
        if network.prefixlen == 0:
            warnings.append(
                f"{key}: {text} allows every address: the SSRF guard is off for sources and channels "
                "(list only the intranet networks you need)"
            )
        elif not network.is_private:
            warnings.append(f"{key}: {text} reaches beyond private networks; is that intended?")
        elif network.version == 4 and METADATA_ADDRESS in network:
            warnings.append(
                f"{key}: {text} includes the cloud metadata address 169.254.169.254 (credentials leak)"
            )
    return warnings

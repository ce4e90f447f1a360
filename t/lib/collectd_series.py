"""The series a real collectd produced with the dcdn plugin, read from its CSV
output, and each one's names in the two writers the dashboards read:
write_graphite's path and the tags of InfluxDB's collectd listener. The
collectd plugin field is the account's product (dcdn, cdn, esa)."""

import re

PRODUCTS = ("dcdn", "cdn", "esa")


class Series:
    """One series, from its host and its CSV key
    "<product>-<instance>/<type>-<type_instance>"."""

    def __init__(self, host, key):
        plugin_part, type_part = key.split("/")
        self.plugin, _, self.instance = plugin_part.partition("-")
        assert self.plugin in PRODUCTS and self.instance, key
        self.host = host
        self.type, _, self.type_instance = type_part.partition("-")
        self.key = key

    def tags(self):
        """InfluxDB's collectd listener: measurement <product>_value (or
        _seconds), these tags."""
        return {"host": self.host, "instance": self.instance, "type": self.type,
                "type_instance": self.type_instance}

    def graphite_path(self):
        """write_graphite's defaults: <host>.<plugin>-<plugin_instance>.
        <type>-<type_instance>, with EscapeCharacter "_" in each name."""
        esc = lambda s: re.sub(r'[.\s"\\:!/()]', "_", s)  # noqa: E731
        return (f"{esc(self.host)}.{self.plugin}-{esc(self.instance)}."
                f"{esc(self.type)}-{esc(self.type_instance)}")

    def __repr__(self):
        return self.key


def produced_series(daemon):
    """Every series the daemon's csv plugin wrote (one host)."""
    if not daemon.csv_dir.exists():
        return []
    hosts = [p.name for p in daemon.csv_dir.iterdir() if p.is_dir()]
    assert len(hosts) == 1, hosts
    return [Series(hosts[0], key) for key in daemon.values()]

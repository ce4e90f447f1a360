"""The dcdn plugin's configuration for a test: an <Account> block pointing
at a simulator, with its credentials, Domain lines or <Domain> blocks, and
any further options, ready to hand to harness.Collectd."""


def account_block(name, sim, key="testid", secret="testsecret", domains=(),
                  extra="", credentials=None):
    """An <Account> block pointing at a simulator. domains: names, or
    (name, [object types]) pairs for a <Domain> block, or (name, [object
    types] or None, SiteId) for an ESA <Domain> block with its SiteId (None:
    no ObjectType line)."""
    if credentials is None:
        credentials = f'AccessKeyId "{key}"\nAccessKeySecret "{secret}"'
    lines = [f'<Account "{name}">', f'  Endpoint "{sim.url}"',
             f'  StateDir "{sim.workdir}/state"']
    lines += ["  " + line for line in credentials.splitlines()]
    for domain in domains:
        if isinstance(domain, tuple):
            name, types, site_id = (domain + (None,))[:3]
            lines.append(f'  <Domain "{name}">')
            if site_id is not None:
                lines.append(f"    SiteId {site_id}")
            if types is not None:
                lines.append("    ObjectType " + " ".join(f'"{t}"' for t in types))
            lines.append("  </Domain>")
        else:
            lines.append(f'  Domain "{domain}"')
    lines += ["  " + line for line in extra.splitlines()]
    lines.append("</Account>")
    return "\n".join(lines)

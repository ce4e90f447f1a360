"""Certificates for the transport tests, made with the openssl CLI: CAs of
the test's own, server certificates they sign, an OpenSSL directory of
trusted CAs, and a command that sees that directory as /etc/ssl/certs."""

import pathlib
import subprocess


def _openssl(*args):
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


def make_ca(directory, name):
    """A self-signed CA valid for two days. Returns (cert, key) paths."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True)
    cert, key = directory / "ca.pem", directory / "ca.key"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
             "-days", "2", "-subj", f"/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return cert, key


def make_server_cert(directory, ca, san="IP:127.0.0.1,DNS:localhost"):
    """A server certificate (not a CA) for san, signed by ca = (cert, key).
    Returns (cert, key) paths."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True)
    cert, key, req = directory / "cert.pem", directory / "key.pem", directory / "req.pem"
    extensions = directory / "ext.cnf"
    extensions.write_text(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                          "extendedKeyUsage=serverAuth\n")
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", req,
             "-subj", "/CN=dcdn-simulator")
    _openssl("x509", "-req", "-in", req, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial",
             "-days", "2", "-extfile", extensions, "-out", cert)
    return cert, key


def hashed_cert_dir(directory, *certs):
    """A CA directory as OpenSSL (and so libcurl's CAPATH) reads it: each
    certificate under its subject hash, <hash>.0."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True)
    for cert in certs:
        digest = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", str(cert)],
                                check=True, capture_output=True, text=True).stdout.strip()
        (directory / f"{digest}.0").write_text(pathlib.Path(cert).read_text())
    return directory


def with_cert_dir(workdir, cert_dir, program):
    """A script that runs program (with its arguments) in a mount namespace
    of its own where cert_dir is /etc/ssl/certs: the machine's directory is
    left alone. The script execs, so program keeps its PID."""
    script = pathlib.Path(workdir) / f"{pathlib.Path(program).name}-with-cert-dir"
    script.write_text(
        "#!/bin/sh\n"
        "exec unshare --mount --propagation private sh -c "
        "'mount --bind \"$0\" /etc/ssl/certs && exec \"$@\"' "
        f"'{cert_dir}' '{program}' \"$@\"\n")
    script.chmod(0o755)
    return script

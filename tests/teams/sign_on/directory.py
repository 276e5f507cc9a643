"""A real OpenLDAP directory for the sign-on tests: Debian's ``slapd`` as a
process of the test session, on a free loopback port, with its own
configuration file and database directory (never the system service).

The tree (``dc=ocrspace,dc=test``)::

    cn=admin                      the directory's manager (loads the data)
    cn=reader,ou=services         the service account the platform binds with
    uid=lena,ou=people            in ocr-users and ocr-sales
    uid=omar,ou=people            in ocr-users and ocr-sales-leads
    uid=kim,ou=people             in ocr-users, account locked (ppolicy)
    uid=pat,ou=people             in no allowed group
    cn=ocr-users,ou=groups        the group allowed to sign in
    cn=ocr-sales,ou=groups        → team "sales", member
    cn=ocr-sales-leads,ou=groups  → team "sales", admin

A locked account is OpenLDAP's way of disabling one (the password policy
overlay refuses its binds), as Active Directory refuses a disabled account's.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from ocrspace.processes import free_port, stop_group

SUFFIX = "dc=ocrspace,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin-secret"
READER_DN = f"cn=reader,ou=services,{SUFFIX}"
READER_PASSWORD = "reader-secret-4471"
PASSWORDS = {"lena": "lena-pass-8812", "omar": "omar-pass-2290", "kim": "kim-pass-5530", "pat": "pat-pass-7781"}
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")


def _person(uid: str, given: str, surname: str, extra: str = "") -> str:
    return (f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {given} {surname}\n"
            f"givenName: {given}\nsn: {surname}\nmail: {uid}@corp.example\nuserPassword: {PASSWORDS[uid]}\n{extra}\n")


def _group(name: str, members: list[str]) -> str:
    # groupOfNames needs a member: the manager stays in every group.
    lines = f"member: {ADMIN_DN}\n" + "".join(f"member: uid={m},ou=people,{SUFFIX}\n" for m in members)
    return f"dn: cn={name},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {name}\n{lines}\n"


def data_ldif(groups: dict[str, list[str]]) -> str:
    tree = (
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: ocrspace\no: ocrspace test\n\n"
        + "".join(f"dn: ou={ou},{SUFFIX}\nobjectClass: organizationalUnit\nou: {ou}\n\n"
                  for ou in ("people", "groups", "services", "policies"))
        + f"dn: {READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\n"
          f"userPassword: {READER_PASSWORD}\n\n"
        + f"dn: cn=default,ou=policies,{SUFFIX}\nobjectClass: organizationalRole\nobjectClass: pwdPolicy\n"
          f"cn: default\npwdAttribute: userPassword\npwdLockout: TRUE\n\n"
        + _person("lena", "Lena", "Berg") + _person("omar", "Omar", "Haddad")
        + _person("kim", "Kim", "Sato", "pwdAccountLockedTime: 000001010000Z\n") + _person("pat", "Pat", "Quinn")
    )
    return tree + "".join(_group(name, members) for name, members in groups.items())


GROUPS = {"ocr-users": ["lena", "omar", "kim"], "ocr-sales": ["lena"], "ocr-sales-leads": ["omar"]}


class Directory:
    def __init__(self, base: Path):
        self.base = base
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def _config(self) -> str:
        schemas = "".join(f"include /etc/ldap/schema/{name}.schema\n" for name in SCHEMAS)
        return (
            f"{schemas}pidfile {self.base / 'slapd.pid'}\nargsfile {self.base / 'slapd.args'}\n"
            "modulepath /usr/lib/ldap\nmoduleload back_mdb\nmoduleload ppolicy\n"
            f"database mdb\nmaxsize 16777216\nsuffix \"{SUFFIX}\"\nrootdn \"{ADMIN_DN}\"\nrootpw {ADMIN_PASSWORD}\n"
            f"directory {self.base / 'data'}\n"
            f"overlay ppolicy\nppolicy_default \"cn=default,ou=policies,{SUFFIX}\"\n"
            "access to attrs=userPassword by self write by anonymous auth by * none\n"
            "access to * by * read\n"
        )

    def start(self) -> "Directory":
        if shutil.which("slapd") is None and not Path("/usr/sbin/slapd").exists():
            raise RuntimeError("slapd is not installed: run tools/install-system-packages.sh")
        (self.base / "data").mkdir(parents=True, exist_ok=True)
        config = self.base / "slapd.conf"
        config.write_text(self._config())
        self.log = open(self.base / "slapd.log", "wb")
        # -d 0: stay in the foreground (a child of this session), log nothing.
        self.process = subprocess.Popen(["/usr/sbin/slapd", "-f", str(config), "-h", self.uri, "-d", "0"],
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {(self.base / 'slapd.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("slapd did not start listening")
                time.sleep(0.1)
        self.load(data_ldif(GROUPS))
        return self

    def load(self, ldif: str) -> None:
        subprocess.run(["ldapadd", "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
                       input=ldif.encode(), check=True, capture_output=True)

    def remove_member(self, group: str, uid: str) -> None:
        change = (f"dn: cn={group},ou=groups,{SUFFIX}\nchangetype: modify\ndelete: member\n"
                  f"member: uid={uid},ou=people,{SUFFIX}\n")
        subprocess.run(["ldapmodify", "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
                       input=change.encode(), check=True, capture_output=True)

    def add_member(self, group: str, uid: str) -> None:
        change = (f"dn: cn={group},ou=groups,{SUFFIX}\nchangetype: modify\nadd: member\n"
                  f"member: uid={uid},ou=people,{SUFFIX}\n")
        subprocess.run(["ldapmodify", "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
                       input=change.encode(), check=True, capture_output=True)

    def stop(self) -> None:
        stop_group(self.process, timeout=10)
        self.log.close()

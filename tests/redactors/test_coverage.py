"""Each credential and personal-data shape coding chats contain is replaced,
the whole value and nothing around it."""

import pytest
from loomcore_plugins.redactors import personal_data, secrets


def _both(text: str) -> tuple[str, dict[str, int]]:
    out, found = secrets.redact(text, frozenset())
    out, more = personal_data.redact(out, frozenset())
    return out, {**found, **more}


# (text, the value that must go, its placeholder)
CASES = [
    ("DB_PASSWORD=s3cretpass", "s3cretpass", "PASSWORD"),
    ("POSTGRES_PASSWORD=mysecretpassword", "mysecretpassword", "PASSWORD"),
    ("SECRET_KEY=django-insecure-abc123", "django-insecure-abc123", "PASSWORD"),
    ("JWT_SECRET=supersecretjwt", "supersecretjwt", "PASSWORD"),
    ("API_TOKEN=abcdef123456", "abcdef123456", "PASSWORD"),
    ("PGPASSWORD=hunter2 psql -h db", "hunter2", "PASSWORD"),
    ("  MYSQL_ROOT_PASSWORD: rootpw123", "rootpw123", "PASSWORD"),
    ("password: hunter2", "hunter2", "PASSWORD"),
    (
        '"password": "correct horse battery staple"',
        "correct horse battery staple",
        "PASSWORD",
    ),
    ('"private_key_id": "a1b2c3d4e5f6a7b8c9d0"', "a1b2c3d4e5f6a7b8c9d0", "PASSWORD"),
    (
        'secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "PASSWORD",
    ),
    ("[database]\npassword = 'Tr0ub4dor&3'", "Tr0ub4dor&3", "PASSWORD"),
    ("client_secret = 'abcXYZ987'", "abcXYZ987", "PASSWORD"),
    ("ENCRYPTION_KEY=Zx81mQ0pLk", "Zx81mQ0pLk", "PASSWORD"),
    ("DATABASE_KEY=Zx81mQ0pLk", "Zx81mQ0pLk", "PASSWORD"),
    (
        'const apiKey = "a8f5f167f44f4964e6c998dee827110c";',
        "a8f5f167f44f4964e6c998dee827110c",
        "PASSWORD",
    ),
    ("mysql -u root -pS3cr3t! mydb", "S3cr3t!", "PASSWORD"),
    ("curl -u admin:Pa55word https://api.acme.io", "Pa55word", "PASSWORD"),
    ("psql postgres://bob:p@ss!@db.acme.io:5432/x", "p@ss!", "PASSWORD"),
    ("Authorization: Bearer abcdefghijklmnop1234", "abcdefghijklmnop1234", "PASSWORD"),
    ("Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l", "YWxhZGRpbjpvcGVuc2VzYW1l", "PASSWORD"),
    ("db.acme.io:5432:shop:bob:Tr0ub4dor", "Tr0ub4dor", "PASSWORD"),
    ("machine api.acme.io login bob password Tr0ub4dor", "Tr0ub4dor", "PASSWORD"),
    ("run it with --password hunter22 --user bob", "hunter22", "PASSWORD"),
    ('my password is "correct horse battery staple"', "correct horse battery staple", "PASSWORD"),
    ("the password is abc1.", "abc1", "PASSWORD"),
    (
        "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=AbC+/=xyz1;",
        "AbC+/=xyz1",
        "PASSWORD",
    ),
    (
        "AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4MTIz==;EndpointSuffix=core.windows.net",
        "Zm9vYmFyYmF6cXV4MTIz==",
        "PASSWORD",
    ),
    (
        "token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "GITHUB_TOKEN",
    ),
    (
        "export HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyzABCDEF",
        "hf_abcdefghijklmnopqrstuvwxyzABCDEF",
        "HUGGINGFACE_TOKEN",
    ),
    (
        "key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123",
        "ANTHROPIC_KEY",
    ),
    (
        "AIzaSyA1234567890abcdefghijklmnopqrstuv",
        "AIzaSyA1234567890abcdefghijklmnopqrstuv",
        "GOOGLE_API_KEY",
    ),
    ("mail josé.müller@exämple.de now", "josé.müller@exämple.de", "EMAIL"),
    ("mail 李@例子.中国 now", "李@例子.中国", "EMAIL"),
    ("call 020 7946 0958 today", "020 7946 0958", "PHONE"),
    ("ruf an: 030 12345678", "030 12345678", "PHONE"),
    ("appelle 01 23 45 67 89", "01 23 45 67 89", "PHONE"),
    ("電話 03-1234-5678", "03-1234-5678", "PHONE"),
    ("call +91 98765 43210", "+91 98765 43210", "PHONE"),
    # an Indian mobile written without +91, a landline with its STD code's 0
    ("call 98765 43210", "98765 43210", "PHONE"),
    ("office: 022 2345 6789", "022 2345 6789", "PHONE"),
    ("call me at 4155552671", "4155552671", "PHONE"),
    ("my number is 4155552671.", "4155552671", "PHONE"),
    ("server at fe80::1ff:fe23:4567:890a now", "fe80::1ff:fe23:4567:890a", "IP_ADDRESS"),
    ("connect to 10.2.3.4.", "10.2.3.4", "IP_ADDRESS"),
    ("SSN 123-45-6789", "123-45-6789", "SSN"),
    ("IBAN DE89 3704 0044 0532 0130 00 please", "DE89 3704 0044 0532 0130 00", "IBAN"),
    ("card 4111 1111 1111 1111", "4111 1111 1111 1111", "CREDIT_CARD"),
    ("I was born on March 14, 1988.", "March 14, 1988", "DATE_OF_BIRTH"),
    ("DOB: 1990-04-01", "1990-04-01", "DATE_OF_BIRTH"),
    ("date of birth 12/05/1985", "12/05/1985", "DATE_OF_BIRTH"),
    # the review's second round: escaped text, YAML blocks, punctuation, CLI
    # flags, prose, encoded e-mails, key-form dates, national phone formats
    (r'{"env": "HOST=db\npassword=Xk29mQz7\nPORT=5432"}', "Xk29mQz7", "PASSWORD"),
    ("db:\n  password: |\n    Xk29 mQz7 pw\n  port: 5432", "Xk29 mQz7 pw", "PASSWORD"),
    ("api:\n  client_secret: >-\n    Xk29mQz7\n  region: eu", "Xk29mQz7", "PASSWORD"),
    ("DB_PASSWORD=ab1,c;d(e)f and more", "ab1,c;d(e)f", "PASSWORD"),
    ("redis-cli -h cache -a Xk29mQz7 ping", "Xk29mQz7", "PASSWORD"),
    ("smbclient //files/share -U deploy%Xk29mQz7", "Xk29mQz7", "PASSWORD"),
    ("mongosh --host db -u admin -p Xk29mQz7 app", "Xk29mQz7", "PASSWORD"),
    ("htpasswd -cb /etc/nginx/.htpasswd admin Xk29mQz7", "Xk29mQz7", "PASSWORD"),
    ("htpasswd -nb admin Xk29mQz7 > users", "Xk29mQz7", "PASSWORD"),
    ("mysql -h db -u root -pXk29mQz7 shop", "Xk29mQz7", "PASSWORD"),
    ("the root password for the server is Xk29mQz7 by the way", "Xk29mQz7", "PASSWORD"),
    ("set the admin password to Xk29mQz7 for now", "Xk29mQz7", "PASSWORD"),
    ("the pw is Xk29mQz7 if you need it", "Xk29mQz7", "PASSWORD"),
    ("invite?to=ana.lima%40gmail.com&team=7", "ana.lima%40gmail.com", "EMAIL"),
    ("write to ana.lima&#64;acme-corp.io today", "ana.lima&#64;acme-corp.io", "EMAIL"),
    ('{"name": "Ana", "dob": "1987-03-23"}', "1987-03-23", "DATE_OF_BIRTH"),
    ("user.birthDate = '23/03/1987'", "23/03/1987", "DATE_OF_BIRTH"),
    ('{"date_of_birth": "1987-03-23"}', "1987-03-23", "DATE_OF_BIRTH"),
    (
        "x\n2a02:6757:7173:4189:7941:8959:6425:2411\ny",
        "2a02:6757:7173:4189:7941:8959:6425:2411",
        "IP_ADDRESS",
    ),
    ("call me on 0412 345 678", "0412 345 678", "PHONE"),
    ("mijn nummer: 06-12345678", "06-12345678", "PHONE"),
    ("mi teléfono es 612 34 56 78", "612 34 56 78", "PHONE"),
    ("phone: 0049 30 12345678", "0049 30 12345678", "PHONE"),
]


@pytest.mark.parametrize(("text", "value", "placeholder"), CASES)
def test_every_shape_is_replaced_whole(text, value, placeholder):
    out, found = _both(text)
    assert out == text.replace(value, f"[{placeholder}]")
    assert found == {placeholder: 1}


@pytest.mark.parametrize(
    "text",
    [
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nabcd+/==\n```\nafter",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\nAAAA\n-----END OPENSSH PRIVATE KEY-----\nafter",
    ],
)
def test_a_private_key_goes_with_or_without_its_end_line(text):
    out, found = secrets.redact(text, frozenset())
    assert out.startswith("[PRIVATE_KEY]\n") and out.endswith("after")
    assert "MIIE" not in out and "b3Bl" not in out and found == {"PRIVATE_KEY": 1}


def test_one_pass_replaces_every_match_of_a_long_list():
    emails = [f"user{i}.name@acme-{i}.io" for i in range(500)]
    out, found = personal_data.redact(", ".join(emails), frozenset())
    assert out == ", ".join(["[EMAIL]"] * 500) and found == {"EMAIL": 500}

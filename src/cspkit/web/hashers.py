"""The password hasher: Argon2id with OWASP's recommended minimum settings.

Django's own Argon2 settings (100 MiB, 2 passes, 8 lanes) took about 0.3 s of CPU on both cores of
a two-core laptop per sign-in, so a room of partners signing in at once stalled every other page.
OWASP's Password Storage Cheat Sheet recommends Argon2id with at least 19 MiB of memory, 2 passes
and 1 lane: about 45 ms of one core here, and still memory-hard (far costlier to attack with
graphics cards than the PBKDF2 it replaces). Hashes made with other settings still verify, and
Django rehashes them with these at the next sign-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

"""Local HTTP emulators of the store platforms' APIs, for tests and bench/sync.py.

Each follows its platform's documented request and response shapes and checks
signatures; they listen on 127.0.0.1 only. `_http.serve` runs one in a thread.
"""

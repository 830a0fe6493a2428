# The two commands a newcomer needs are `make start` and `make test` (see README.md).
.PHONY: start test setup lock messages

start:
	scripts/start

test:
	scripts/test

setup:
	scripts/setup

# Re-pin every package after changing pyproject.toml.
lock:
	.venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

messages:
	cd innolink && ../.venv/bin/python ../manage.py makemessages -l en --no-obsolete && \
	../.venv/bin/python ../manage.py compilemessages -l en

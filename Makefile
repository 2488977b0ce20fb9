# Everyday commands; each is a thin wrapper over scripts/.
.PHONY: run test call lint bench
run:    ## the helpline locally, with demo data and the Twilio emulator
	scripts/run
test:   ## lint and the whole test suite
	scripts/test
call:   ## dial the local helpline from this terminal
	.venv/bin/helpline call
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
bench:
	.venv/bin/python -m bench.dispatch && .venv/bin/python -m bench.mirror

# Parley: every command a user or CI needs. Each target installs what is missing first.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help install run run-prod chat resume train test lint format validate clean lock bench segments db-upgrade telegram-check telegram-webhook console manager seed retrain

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## Create .venv with Python 3.10 and the locked dependencies (quick when nothing changed)
	@scripts/bootstrap.sh

run: install ## Train if needed, then start the bot (REST on :5005) and its action server; Ctrl-C stops both
	@scripts/run.sh

run-prod: install ## The replicated profile: PostgreSQL, Redis, 2 Rasa + 2 action servers behind nginx (see deploy/)
	@scripts/run-prod.sh

chat: install ## Chat with the running bot in this terminal
	@scripts/chat.sh

resume: install ## Hand a paused conversation back to the bot: make resume SENDER=<conversation id>
	@scripts/resume.sh "$(SENDER)"

train: install ## Train the assistant if config, domain or data changed (FORCE=1 to retrain anyway)
	@scripts/train.sh $(if $(FORCE),--force)

console: install ## Start the review console for social managers (http://127.0.0.1:5010) and the broadcast job
	@source scripts/env.sh && python -m console serve

manager: install ## Create a console account (or reset its password): make manager EMAIL=you@brand.com
	@source scripts/env.sh && python -m console create-manager "$(EMAIL)"

seed: install ## Send scripted customer conversations to the running bot (demo data for the console)
	@source scripts/env.sh && python -m console seed

telegram-check: install ## Check TELEGRAM_BOT_TOKEN, the webhook, and admin rights in a group: GROUP=<chat id>
	@source scripts/env.sh && python -m bot.telegram check $(if $(GROUP),--group "$(GROUP)")

telegram-webhook: install ## Register the Telegram webhook: make telegram-webhook URL=https://your.host
	@source scripts/env.sh && python -m bot.telegram set-webhook "$(URL)"

retrain: install ## Retrain from managers' corrections behind an evaluation gate (FORCE=1 promotes anyway)
	@source scripts/env.sh && python -m retrain $(if $(FORCE),--force)

segments: install ## Recompute customer segments from interests and print them
	@source scripts/env.sh && python -m recommender segments

db-upgrade: install ## Create or migrate the store schema (PARLEY_DB_URL, default var/parley.db)
	@source scripts/env.sh && python -m store upgrade

test: install ## Everything CI checks: lint, data validation, training, pytest, dialogue tests
	@scripts/test.sh

lint: install ## ruff lint and format check, the import contracts between layers (.importlinter), mypy on core and store
	@.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports --no-cache --no-logo \
		&& .venv/bin/mypy

format: install ## Apply ruff's fixes and formatting
	@.venv/bin/ruff check --fix . && .venv/bin/ruff format .

validate: install ## Check domain, NLU data, rules and stories for consistency
	@source scripts/env.sh && rasa data validate --domain domain --data data

bench: train ## Run the benchmarks (over two hours; NLU ones need ../shared/data) and write benchmarks/results/
	@source scripts/env.sh && python -m benchmarks.conversation_quality --model models/parley.tar.gz \
		&& python -m benchmarks.recommendation_quality \
		&& scripts/mpnet.sh && python -m benchmarks.intent_encoders \
		&& python -m benchmarks.sentiment_tweeteval && python -m benchmarks.sentiment_ceiling \
		&& python -m benchmarks.intent_banking77 && python -m benchmarks.intent_variants \
		&& python -m benchmarks.oos_scores && python -m benchmarks.latency \
		&& python -m benchmarks.recommender_latency && python -m benchmarks.movielens \
		&& python -m benchmarks.collaborative_scale \
		&& python -m benchmarks.console_inbox && python -m benchmarks.learning_loop && python -m benchmarks.experiments \
		&& python -m benchmarks.click_model && python -m benchmarks.broadcast && python -m benchmarks.language_id \
		&& python -m benchmarks.multilingual_intents && python -m benchmarks.multilingual_pipeline \
		&& python -m benchmarks.moderation \
		&& source scripts/postgres.sh && source scripts/redis.sh && source scripts/nginx.sh \
		&& trap 'stop_postgres; stop_redis' EXIT && start_postgres && start_redis && ensure_nginx \
		&& python -m benchmarks.load

lock: install ## Re-resolve requirements.in into requirements.lock
	@.venv/bin/uv pip compile requirements.in --python-version 3.10 -o requirements.lock

clean: ## Remove trained models, caches and runtime state (keeps .venv)
	rm -rf models results .rasa .cache .pytest_cache .ruff_cache .mypy_cache var

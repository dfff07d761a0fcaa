#!/bin/sh
# Runs once, when the postgres container initialises an empty cluster: creates the role the
# application runs as. POSTGRES_USER owns the database and runs the migrations
# (DATABASE_OWNER_URL); the migrations grant this role only what the app needs, so it cannot
# rewrite the audit log (README, "Database roles").
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$SWITCHBOARD_APP_PASSWORD" <<'SQL'
CREATE ROLE switchboard_app LOGIN PASSWORD :'app_password';
SQL

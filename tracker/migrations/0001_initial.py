"""The initial schema, frozen: every table and index as the models declared them before 0002.

Written out as the DDL peewee generated (`Model._schema._create_table(safe=True)` and
`_create_indexes(safe=True)`, in dependency order) for SQLite and for PostgreSQL, so this migration
builds the same tables whatever models.py says later: a change to a model needs its own migration
(playhouse.migrate), and tests/test_db.py checks that 0001 plus the later migrations build exactly
what the models declare. Not here: `user.date_format` (0002) and the `data_version` table and its
triggers (0003). The `schema_version` table is created by the runner (tracker/schema.py) before any
migration; IF NOT EXISTS leaves it alone here.
"""

from ..db import is_sqlite

SQLITE = (
    (
        'CREATE TABLE IF NOT EXISTS "organization" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(200) '
        'NOT NULL, "kind" VARCHAR(20) NOT NULL, "created_at" DATETIME NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "organization_name" ON "organization" ("name")',
    (
        'CREATE TABLE IF NOT EXISTS "unit" ("id" INTEGER NOT NULL PRIMARY KEY, "organization_id" INTEGER NOT '
        'NULL, "name" VARCHAR(200) NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("organization_id") '
        'REFERENCES "organization" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "unit_organization_id" ON "unit" ("organization_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "unit_organization_id_name" ON "unit" ("organization_id", "name")',
    (
        'CREATE TABLE IF NOT EXISTS "user" ("id" INTEGER NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT '
        'NULL, "name" VARCHAR(200) NOT NULL, "role" VARCHAR(20) NOT NULL, "password_hash" VARCHAR(255) NOT '
        'NULL, "unit_id" INTEGER, "organization_id" INTEGER, "is_active" INTEGER NOT NULL, "session_token" '
        'VARCHAR(64) NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" '
        '("id") ON DELETE RESTRICT, FOREIGN KEY ("organization_id") REFERENCES "organization" ("id") ON '
        "DELETE RESTRICT)"
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_email" ON "user" ("email")',
    'CREATE INDEX IF NOT EXISTS "user_unit_id" ON "user" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "user_organization_id" ON "user" ("organization_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_session_token" ON "user" ("session_token")',
    (
        'CREATE TABLE IF NOT EXISTS "api_token" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT '
        'NULL, "name" VARCHAR(100) NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "created_at" DATETIME NOT '
        'NULL, "last_used_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "api_token_user_id" ON "api_token" ("user_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_token_hash" ON "api_token" ("token_hash")',
    (
        'CREATE TABLE IF NOT EXISTS "audit_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT '
        'NULL, "user_id" INTEGER, "action" VARCHAR(10) NOT NULL, "entity" VARCHAR(60) NOT NULL, "entity_id" '
        'INTEGER, "engagement_id" INTEGER, "changes" TEXT NOT NULL, FOREIGN KEY ("user_id") REFERENCES '
        '"user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "audit_entry_at" ON "audit_entry" ("at")',
    'CREATE INDEX IF NOT EXISTS "audit_entry_user_id" ON "audit_entry" ("user_id")',
    'CREATE INDEX IF NOT EXISTS "audit_entry_engagement_id" ON "audit_entry" ("engagement_id")',
    (
        'CREATE TABLE IF NOT EXISTS "support_request" ("id" INTEGER NOT NULL PRIMARY KEY, "unit_id" INTEGER '
        'NOT NULL, "requested_by_id" INTEGER, "title" VARCHAR(200) NOT NULL, "description" TEXT NOT NULL, '
        '"for_whom" TEXT NOT NULL, "on_behalf_of" VARCHAR(200) NOT NULL, "hoped_start" DATE, "urgent" '
        'INTEGER NOT NULL, "urgency_note" TEXT NOT NULL, "status" VARCHAR(20) NOT NULL, "info_question" TEXT '
        'NOT NULL, "info_answer" TEXT NOT NULL, "decline_reason" TEXT NOT NULL, "decided_by_id" INTEGER, '
        '"decided_at" DATETIME, "created_at" DATETIME NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" '
        '("id") ON DELETE RESTRICT, FOREIGN KEY ("requested_by_id") REFERENCES "user" ("id") ON DELETE SET '
        'NULL, FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "support_request_unit_id" ON "support_request" ("unit_id")',
    ('CREATE INDEX IF NOT EXISTS "support_request_requested_by_id" ON "support_request" ("requested_by_id")'),
    'CREATE INDEX IF NOT EXISTS "support_request_status" ON "support_request" ("status")',
    'CREATE INDEX IF NOT EXISTS "support_request_decided_by_id" ON "support_request" ("decided_by_id")',
    'CREATE INDEX IF NOT EXISTS "support_request_created_at" ON "support_request" ("created_at")',
    (
        'CREATE TABLE IF NOT EXISTS "stage" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(80) NOT NULL, '
        '"name" VARCHAR(200) NOT NULL, "help" TEXT NOT NULL, "position" INTEGER NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "stage_key" ON "stage" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "engagement" ("id" INTEGER NOT NULL PRIMARY KEY, "unit_id" INTEGER NOT '
        'NULL, "intermediary_id" INTEGER, "request_id" INTEGER, "title" VARCHAR(200) NOT NULL, '
        '"problem_statement" TEXT NOT NULL, "support_model" VARCHAR(20) NOT NULL, "start_date" DATE NOT '
        'NULL, "end_date" DATE, "status" VARCHAR(20) NOT NULL, "current_stage_id" INTEGER, "closing_summary" '
        'TEXT NOT NULL, "created_at" DATETIME NOT NULL, "deleted_at" DATETIME, FOREIGN KEY ("unit_id") '
        'REFERENCES "unit" ("id") ON DELETE RESTRICT, FOREIGN KEY ("intermediary_id") REFERENCES '
        '"organization" ("id") ON DELETE RESTRICT, FOREIGN KEY ("request_id") REFERENCES "support_request" '
        '("id") ON DELETE SET NULL, FOREIGN KEY ("current_stage_id") REFERENCES "stage" ("id") ON DELETE '
        "RESTRICT)"
    ),
    'CREATE INDEX IF NOT EXISTS "engagement_unit_id" ON "engagement" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "engagement_intermediary_id" ON "engagement" ("intermediary_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "engagement_request_id" ON "engagement" ("request_id")',
    'CREATE INDEX IF NOT EXISTS "engagement_status" ON "engagement" ("status")',
    'CREATE INDEX IF NOT EXISTS "engagement_current_stage_id" ON "engagement" ("current_stage_id")',
    (
        'CREATE TABLE IF NOT EXISTS "benchmark_template" ("id" INTEGER NOT NULL PRIMARY KEY, "stage_id" '
        'INTEGER NOT NULL, "text" VARCHAR(300) NOT NULL, "position" INTEGER NOT NULL, "retired" INTEGER NOT '
        'NULL, FOREIGN KEY ("stage_id") REFERENCES "stage" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "benchmark_template_stage_id" ON "benchmark_template" ("stage_id")',
    (
        'CREATE TABLE IF NOT EXISTS "benchmark" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" INTEGER '
        'NOT NULL, "stage_id" INTEGER NOT NULL, "template_id" INTEGER, "text" VARCHAR(300) NOT NULL, '
        '"position" INTEGER NOT NULL, "completed_on" DATE, "evidence" TEXT NOT NULL, '
        '"completed_in_meeting_id" INTEGER, FOREIGN KEY ("engagement_id") REFERENCES "engagement" ("id") ON '
        'DELETE CASCADE, FOREIGN KEY ("stage_id") REFERENCES "stage" ("id") ON DELETE RESTRICT, FOREIGN KEY '
        '("template_id") REFERENCES "benchmark_template" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "benchmark_engagement_id" ON "benchmark" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "benchmark_stage_id" ON "benchmark" ("stage_id")',
    'CREATE INDEX IF NOT EXISTS "benchmark_template_id" ON "benchmark" ("template_id")',
    (
        'CREATE TABLE IF NOT EXISTS "competency_framework" ("id" INTEGER NOT NULL PRIMARY KEY, "key" '
        'VARCHAR(80) NOT NULL, "name" VARCHAR(200) NOT NULL, "short_name" VARCHAR(80) NOT NULL, "source" '
        'TEXT NOT NULL, "is_default" INTEGER NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "competency_framework_key" ON "competency_framework" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "competency_domain" ("id" INTEGER NOT NULL PRIMARY KEY, "framework_id" '
        'INTEGER NOT NULL, "key" VARCHAR(80) NOT NULL, "name" VARCHAR(200) NOT NULL, "position" INTEGER NOT '
        'NULL, FOREIGN KEY ("framework_id") REFERENCES "competency_framework" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "competency_domain_framework_id" ON "competency_domain" ("framework_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "competency_domain_framework_id_key" ON "competency_domain" '
        '("framework_id", "key")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "competency" ("id" INTEGER NOT NULL PRIMARY KEY, "domain_id" INTEGER NOT '
        'NULL, "key" VARCHAR(80) NOT NULL, "name" VARCHAR(200) NOT NULL, "help" TEXT NOT NULL, "position" '
        'INTEGER NOT NULL, "retired" INTEGER NOT NULL, FOREIGN KEY ("domain_id") REFERENCES '
        '"competency_domain" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "competency_domain_id" ON "competency" ("domain_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "competency_key" ON "competency" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "context_note" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "kind" VARCHAR(20) NOT NULL, "domain" VARCHAR(20) NOT NULL, "text" TEXT NOT NULL, '
        '"noted_on" DATE NOT NULL, "created_by_id" INTEGER, FOREIGN KEY ("engagement_id") REFERENCES '
        '"engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON '
        "DELETE SET NULL)"
    ),
    'CREATE INDEX IF NOT EXISTS "context_note_engagement_id" ON "context_note" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "context_note_created_by_id" ON "context_note" ("created_by_id")',
    (
        'CREATE TABLE IF NOT EXISTS "deliverable" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "kind" VARCHAR(30) NOT NULL, "title" VARCHAR(300) NOT NULL, "due_on" DATE, '
        '"delivered_on" DATE, "link" VARCHAR(500) NOT NULL, "note" TEXT NOT NULL, FOREIGN KEY '
        '("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "deliverable_engagement_id" ON "deliverable" ("engagement_id")',
    (
        'CREATE TABLE IF NOT EXISTS "engagement_isp" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "user_id" INTEGER NOT NULL, "role" VARCHAR(20) NOT NULL, FOREIGN KEY '
        '("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") '
        'REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "engagement_isp_engagement_id" ON "engagement_isp" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "engagement_isp_user_id" ON "engagement_isp" ("user_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "engagement_isp_engagement_id_user_id" ON "engagement_isp" '
        '("engagement_id", "user_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "engagement_status_change" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"engagement_id" INTEGER NOT NULL, "from_status" VARCHAR(20) NOT NULL, "to_status" VARCHAR(20) NOT '
        'NULL, "changed_on" DATE NOT NULL, "reason" TEXT NOT NULL, "changed_by_id" INTEGER, "created_at" '
        'DATETIME NOT NULL, FOREIGN KEY ("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("changed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    (
        'CREATE INDEX IF NOT EXISTS "engagement_status_change_engagement_id" ON "engagement_status_change" '
        '("engagement_id")'
    ),
    (
        'CREATE INDEX IF NOT EXISTS "engagement_status_change_changed_by_id" ON "engagement_status_change" '
        '("changed_by_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "feedback_instrument" ("id" INTEGER NOT NULL PRIMARY KEY, "key" '
        'VARCHAR(80) NOT NULL, "version" INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "definition" TEXT '
        "NOT NULL)"
    ),
    ('CREATE UNIQUE INDEX IF NOT EXISTS "feedback_instrument_key_version" ON "feedback_instrument" ("key", "version")'),
    (
        'CREATE TABLE IF NOT EXISTS "meeting" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" INTEGER '
        'NOT NULL, "date" DATE NOT NULL, "kind" VARCHAR(20) NOT NULL, "mode" VARCHAR(20) NOT NULL, '
        '"duration_minutes" INTEGER NOT NULL, "notes" TEXT NOT NULL, "logged_by_id" INTEGER, "created_at" '
        'DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, FOREIGN KEY '
        '("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("logged_by_id") '
        'REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_engagement_id" ON "meeting" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_date" ON "meeting" ("date")',
    'CREATE INDEX IF NOT EXISTS "meeting_logged_by_id" ON "meeting" ("logged_by_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_engagement_id_date" ON "meeting" ("engagement_id", "date")',
    (
        'CREATE TABLE IF NOT EXISTS "feedback_response" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "instrument_id" INTEGER NOT NULL, "kind" VARCHAR(10) NOT NULL, "meeting_id" '
        'INTEGER, "respondent_id" INTEGER, "respondent_email" VARCHAR(254) NOT NULL, "anonymous" INTEGER NOT '
        'NULL, "submitted_on" DATE NOT NULL, "comments" TEXT NOT NULL, "created_at" DATETIME NOT NULL, '
        '"deleted_at" DATETIME, FOREIGN KEY ("engagement_id") REFERENCES "engagement" ("id") ON DELETE '
        'CASCADE, FOREIGN KEY ("instrument_id") REFERENCES "feedback_instrument" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("meeting_id") REFERENCES "meeting" ("id") ON DELETE SET NULL, FOREIGN KEY '
        '("respondent_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    ('CREATE INDEX IF NOT EXISTS "feedback_response_engagement_id" ON "feedback_response" ("engagement_id")'),
    ('CREATE INDEX IF NOT EXISTS "feedback_response_instrument_id" ON "feedback_response" ("instrument_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_response_meeting_id" ON "feedback_response" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "feedback_response_respondent_id" ON "feedback_response" ("respondent_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_response_submitted_on" ON "feedback_response" ("submitted_on")',
    (
        'CREATE TABLE IF NOT EXISTS "feedback_item" ("id" INTEGER NOT NULL PRIMARY KEY, "instrument_id" '
        'INTEGER NOT NULL, "key" VARCHAR(80) NOT NULL, "scale" VARCHAR(40), "kind" VARCHAR(20) NOT NULL, '
        '"text" TEXT NOT NULL, "position" INTEGER NOT NULL, FOREIGN KEY ("instrument_id") REFERENCES '
        '"feedback_instrument" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "feedback_item_instrument_id" ON "feedback_item" ("instrument_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "feedback_item_instrument_id_key" ON "feedback_item" ("instrument_id", "key")'),
    (
        'CREATE TABLE IF NOT EXISTS "feedback_answer" ("id" INTEGER NOT NULL PRIMARY KEY, "response_id" '
        'INTEGER NOT NULL, "item_id" INTEGER NOT NULL, "value" INTEGER NOT NULL, FOREIGN KEY ("response_id") '
        'REFERENCES "feedback_response" ("id") ON DELETE CASCADE, FOREIGN KEY ("item_id") REFERENCES '
        '"feedback_item" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "feedback_answer_response_id" ON "feedback_answer" ("response_id")',
    'CREATE INDEX IF NOT EXISTS "feedback_answer_item_id" ON "feedback_answer" ("item_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "feedback_answer_response_id_item_id" ON "feedback_answer" '
        '("response_id", "item_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "team_member" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "email" VARCHAR(254) NOT NULL, "position" '
        'VARCHAR(20) NOT NULL, "user_id" INTEGER, "joined_on" DATE, "left_on" DATE, FOREIGN KEY '
        '("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") '
        'REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "team_member_engagement_id" ON "team_member" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "team_member_user_id" ON "team_member" ("user_id")',
    (
        'CREATE TABLE IF NOT EXISTS "feedback_invitation" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"engagement_id" INTEGER NOT NULL, "meeting_id" INTEGER, "instrument_id" INTEGER NOT NULL, "kind" '
        'VARCHAR(10) NOT NULL, "email" VARCHAR(254) NOT NULL, "team_member_id" INTEGER, "sent_by_id" '
        'INTEGER, "token_hash" VARCHAR(128) NOT NULL, "item_keys" TEXT NOT NULL, "created_at" DATETIME NOT '
        'NULL, "expires_at" DATETIME NOT NULL, "used_at" DATETIME, FOREIGN KEY ("engagement_id") REFERENCES '
        '"engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("meeting_id") REFERENCES "meeting" ("id") ON '
        'DELETE SET NULL, FOREIGN KEY ("instrument_id") REFERENCES "feedback_instrument" ("id") ON DELETE '
        'RESTRICT, FOREIGN KEY ("team_member_id") REFERENCES "team_member" ("id") ON DELETE SET NULL, '
        'FOREIGN KEY ("sent_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    ('CREATE INDEX IF NOT EXISTS "feedback_invitation_engagement_id" ON "feedback_invitation" ("engagement_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_invitation_meeting_id" ON "feedback_invitation" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "feedback_invitation_instrument_id" ON "feedback_invitation" ("instrument_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_invitation_email" ON "feedback_invitation" ("email")',
    ('CREATE INDEX IF NOT EXISTS "feedback_invitation_team_member_id" ON "feedback_invitation" ("team_member_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_invitation_sent_by_id" ON "feedback_invitation" ("sent_by_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "feedback_invitation_token_hash" ON "feedback_invitation" ("token_hash")'),
    (
        'CREATE TABLE IF NOT EXISTS "goal" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" INTEGER NOT '
        'NULL, "title" VARCHAR(300) NOT NULL, "indicator" TEXT NOT NULL, "target" TEXT NOT NULL, "status" '
        'VARCHAR(20) NOT NULL, "created_at" DATETIME NOT NULL, "deleted_at" DATETIME, FOREIGN KEY '
        '("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "goal_engagement_id" ON "goal" ("engagement_id")',
    (
        'CREATE TABLE IF NOT EXISTS "goal_status_change" ("id" INTEGER NOT NULL PRIMARY KEY, "goal_id" '
        'INTEGER NOT NULL, "status" VARCHAR(20) NOT NULL, "changed_on" DATE NOT NULL, "note" TEXT NOT NULL, '
        '"meeting_id" INTEGER, "changed_by_id" INTEGER, FOREIGN KEY ("goal_id") REFERENCES "goal" ("id") ON '
        'DELETE CASCADE, FOREIGN KEY ("changed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "goal_status_change_goal_id" ON "goal_status_change" ("goal_id")',
    'CREATE INDEX IF NOT EXISTS "goal_status_change_meeting_id" ON "goal_status_change" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "goal_status_change_changed_by_id" ON "goal_status_change" ("changed_by_id")'),
    (
        'CREATE TABLE IF NOT EXISTS "meeting_attendee" ("id" INTEGER NOT NULL PRIMARY KEY, "meeting_id" '
        'INTEGER NOT NULL, "team_member_id" INTEGER, "user_id" INTEGER, FOREIGN KEY ("meeting_id") '
        'REFERENCES "meeting" ("id") ON DELETE CASCADE, FOREIGN KEY ("team_member_id") REFERENCES '
        '"team_member" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE '
        "CASCADE)"
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_attendee_meeting_id" ON "meeting_attendee" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "meeting_attendee_team_member_id" ON "meeting_attendee" ("team_member_id")'),
    'CREATE INDEX IF NOT EXISTS "meeting_attendee_user_id" ON "meeting_attendee" ("user_id")',
    (
        'CREATE TABLE IF NOT EXISTS "meeting_competency" ("id" INTEGER NOT NULL PRIMARY KEY, "meeting_id" '
        'INTEGER NOT NULL, "competency_id" INTEGER NOT NULL, "label" VARCHAR(200) NOT NULL, FOREIGN KEY '
        '("meeting_id") REFERENCES "meeting" ("id") ON DELETE CASCADE, FOREIGN KEY ("competency_id") '
        'REFERENCES "competency" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_competency_meeting_id" ON "meeting_competency" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "meeting_competency_competency_id" ON "meeting_competency" ("competency_id")'),
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "meeting_competency_meeting_id_competency_id" ON '
        '"meeting_competency" ("meeting_id", "competency_id")'
    ),
    (
        'CREATE INDEX IF NOT EXISTS "meeting_competency_competency_id_meeting_id" ON "meeting_competency" '
        '("competency_id", "meeting_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "principle" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(80) NOT '
        'NULL, "name" VARCHAR(200) NOT NULL, "help" TEXT NOT NULL, "source" VARCHAR(20) NOT NULL, "position" '
        'INTEGER NOT NULL, "retired" INTEGER NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "principle_key" ON "principle" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "meeting_principle" ("id" INTEGER NOT NULL PRIMARY KEY, "meeting_id" '
        'INTEGER NOT NULL, "principle_id" INTEGER NOT NULL, FOREIGN KEY ("meeting_id") REFERENCES "meeting" '
        '("id") ON DELETE CASCADE, FOREIGN KEY ("principle_id") REFERENCES "principle" ("id") ON DELETE '
        "RESTRICT)"
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_principle_meeting_id" ON "meeting_principle" ("meeting_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_principle_principle_id" ON "meeting_principle" ("principle_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "meeting_principle_meeting_id_principle_id" ON '
        '"meeting_principle" ("meeting_id", "principle_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "strategy_cluster" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(80) '
        'NOT NULL, "number" INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "help" TEXT NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "strategy_cluster_key" ON "strategy_cluster" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "strategy" ("id" INTEGER NOT NULL PRIMARY KEY, "cluster_id" INTEGER NOT '
        'NULL, "key" VARCHAR(80) NOT NULL, "number" INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "help" '
        'TEXT NOT NULL, "retired" INTEGER NOT NULL, FOREIGN KEY ("cluster_id") REFERENCES "strategy_cluster" '
        '("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "strategy_cluster_id" ON "strategy" ("cluster_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "strategy_key" ON "strategy" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "meeting_strategy" ("id" INTEGER NOT NULL PRIMARY KEY, "meeting_id" '
        'INTEGER NOT NULL, "strategy_id" INTEGER NOT NULL, "label" VARCHAR(200) NOT NULL, "minutes" INTEGER, '
        'FOREIGN KEY ("meeting_id") REFERENCES "meeting" ("id") ON DELETE CASCADE, FOREIGN KEY '
        '("strategy_id") REFERENCES "strategy" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_strategy_meeting_id" ON "meeting_strategy" ("meeting_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_strategy_strategy_id" ON "meeting_strategy" ("strategy_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "meeting_strategy_meeting_id_strategy_id" ON "meeting_strategy" '
        '("meeting_id", "strategy_id")'
    ),
    (
        'CREATE INDEX IF NOT EXISTS "meeting_strategy_strategy_id_meeting_id" ON "meeting_strategy" '
        '("strategy_id", "meeting_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "next_step" ("id" INTEGER NOT NULL PRIMARY KEY, "meeting_id" INTEGER NOT '
        'NULL, "text" TEXT NOT NULL, "owner" VARCHAR(200) NOT NULL, "due_on" DATE, "done_on" DATE, FOREIGN '
        'KEY ("meeting_id") REFERENCES "meeting" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "next_step_meeting_id" ON "next_step" ("meeting_id")',
    'CREATE INDEX IF NOT EXISTS "next_step_due_on" ON "next_step" ("due_on")',
    (
        'CREATE TABLE IF NOT EXISTS "outbox_message" ("id" INTEGER NOT NULL PRIMARY KEY, "to_email" '
        'VARCHAR(254) NOT NULL, "subject" VARCHAR(300) NOT NULL, "body" TEXT NOT NULL, "created_at" DATETIME '
        'NOT NULL, "sent_at" DATETIME, "error" TEXT NOT NULL)'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "schema_version" ("version" INTEGER NOT NULL PRIMARY KEY, "name" '
        'VARCHAR(255) NOT NULL, "applied_at" DATETIME NOT NULL)'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "sign_in_attempt" ("id" INTEGER NOT NULL PRIMARY KEY, "email" '
        'VARCHAR(254) NOT NULL, "address" VARCHAR(64) NOT NULL, "at" DATETIME NOT NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "sign_in_attempt_email" ON "sign_in_attempt" ("email")',
    'CREATE INDEX IF NOT EXISTS "sign_in_attempt_address" ON "sign_in_attempt" ("address")',
    'CREATE INDEX IF NOT EXISTS "sign_in_attempt_at" ON "sign_in_attempt" ("at")',
    (
        'CREATE TABLE IF NOT EXISTS "stage_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "stage_id" INTEGER NOT NULL, "entered_on" DATE NOT NULL, "note" TEXT NOT NULL, '
        '"created_by_id" INTEGER, FOREIGN KEY ("engagement_id") REFERENCES "engagement" ("id") ON DELETE '
        'CASCADE, FOREIGN KEY ("stage_id") REFERENCES "stage" ("id") ON DELETE RESTRICT, FOREIGN KEY '
        '("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "stage_entry_engagement_id" ON "stage_entry" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "stage_entry_stage_id" ON "stage_entry" ("stage_id")',
    'CREATE INDEX IF NOT EXISTS "stage_entry_created_by_id" ON "stage_entry" ("created_by_id")',
)

POSTGRESQL = (
    (
        'CREATE TABLE IF NOT EXISTS "organization" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(200) '
        'NOT NULL, "kind" VARCHAR(20) NOT NULL, "created_at" TIMESTAMP NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "organization_name" ON "organization" ("name")',
    (
        'CREATE TABLE IF NOT EXISTS "unit" ("id" SERIAL NOT NULL PRIMARY KEY, "organization_id" INTEGER NOT '
        'NULL, "name" VARCHAR(200) NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY '
        '("organization_id") REFERENCES "organization" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "unit_organization_id" ON "unit" ("organization_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "unit_organization_id_name" ON "unit" ("organization_id", "name")',
    (
        'CREATE TABLE IF NOT EXISTS "user" ("id" SERIAL NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT NULL, '
        '"name" VARCHAR(200) NOT NULL, "role" VARCHAR(20) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, '
        '"unit_id" INTEGER, "organization_id" INTEGER, "is_active" BOOLEAN NOT NULL, "session_token" '
        'VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" '
        '("id") ON DELETE RESTRICT, FOREIGN KEY ("organization_id") REFERENCES "organization" ("id") ON '
        "DELETE RESTRICT)"
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_email" ON "user" ("email")',
    'CREATE INDEX IF NOT EXISTS "user_unit_id" ON "user" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "user_organization_id" ON "user" ("organization_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_session_token" ON "user" ("session_token")',
    (
        'CREATE TABLE IF NOT EXISTS "api_token" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT '
        'NULL, "name" VARCHAR(100) NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT '
        'NULL, "last_used_at" TIMESTAMP, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "api_token_user_id" ON "api_token" ("user_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_token_hash" ON "api_token" ("token_hash")',
    (
        'CREATE TABLE IF NOT EXISTS "audit_entry" ("id" SERIAL NOT NULL PRIMARY KEY, "at" TIMESTAMP NOT '
        'NULL, "user_id" INTEGER, "action" VARCHAR(10) NOT NULL, "entity" VARCHAR(60) NOT NULL, "entity_id" '
        'INTEGER, "engagement_id" INTEGER, "changes" TEXT NOT NULL, FOREIGN KEY ("user_id") REFERENCES '
        '"user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "audit_entry_at" ON "audit_entry" ("at")',
    'CREATE INDEX IF NOT EXISTS "audit_entry_user_id" ON "audit_entry" ("user_id")',
    'CREATE INDEX IF NOT EXISTS "audit_entry_engagement_id" ON "audit_entry" ("engagement_id")',
    (
        'CREATE TABLE IF NOT EXISTS "support_request" ("id" SERIAL NOT NULL PRIMARY KEY, "unit_id" INTEGER '
        'NOT NULL, "requested_by_id" INTEGER, "title" VARCHAR(200) NOT NULL, "description" TEXT NOT NULL, '
        '"for_whom" TEXT NOT NULL, "on_behalf_of" VARCHAR(200) NOT NULL, "hoped_start" DATE, "urgent" '
        'BOOLEAN NOT NULL, "urgency_note" TEXT NOT NULL, "status" VARCHAR(20) NOT NULL, "info_question" TEXT '
        'NOT NULL, "info_answer" TEXT NOT NULL, "decline_reason" TEXT NOT NULL, "decided_by_id" INTEGER, '
        '"decided_at" TIMESTAMP, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" '
        '("id") ON DELETE RESTRICT, FOREIGN KEY ("requested_by_id") REFERENCES "user" ("id") ON DELETE SET '
        'NULL, FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "support_request_unit_id" ON "support_request" ("unit_id")',
    ('CREATE INDEX IF NOT EXISTS "support_request_requested_by_id" ON "support_request" ("requested_by_id")'),
    'CREATE INDEX IF NOT EXISTS "support_request_status" ON "support_request" ("status")',
    'CREATE INDEX IF NOT EXISTS "support_request_decided_by_id" ON "support_request" ("decided_by_id")',
    'CREATE INDEX IF NOT EXISTS "support_request_created_at" ON "support_request" ("created_at")',
    (
        'CREATE TABLE IF NOT EXISTS "stage" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(80) NOT NULL, '
        '"name" VARCHAR(200) NOT NULL, "help" TEXT NOT NULL, "position" INTEGER NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "stage_key" ON "stage" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "engagement" ("id" SERIAL NOT NULL PRIMARY KEY, "unit_id" INTEGER NOT '
        'NULL, "intermediary_id" INTEGER, "request_id" INTEGER, "title" VARCHAR(200) NOT NULL, '
        '"problem_statement" TEXT NOT NULL, "support_model" VARCHAR(20) NOT NULL, "start_date" DATE NOT '
        'NULL, "end_date" DATE, "status" VARCHAR(20) NOT NULL, "current_stage_id" INTEGER, "closing_summary" '
        'TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, "deleted_at" TIMESTAMP, FOREIGN KEY ("unit_id") '
        'REFERENCES "unit" ("id") ON DELETE RESTRICT, FOREIGN KEY ("intermediary_id") REFERENCES '
        '"organization" ("id") ON DELETE RESTRICT, FOREIGN KEY ("request_id") REFERENCES "support_request" '
        '("id") ON DELETE SET NULL, FOREIGN KEY ("current_stage_id") REFERENCES "stage" ("id") ON DELETE '
        "RESTRICT)"
    ),
    'CREATE INDEX IF NOT EXISTS "engagement_unit_id" ON "engagement" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "engagement_intermediary_id" ON "engagement" ("intermediary_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "engagement_request_id" ON "engagement" ("request_id")',
    'CREATE INDEX IF NOT EXISTS "engagement_status" ON "engagement" ("status")',
    'CREATE INDEX IF NOT EXISTS "engagement_current_stage_id" ON "engagement" ("current_stage_id")',
    (
        'CREATE TABLE IF NOT EXISTS "benchmark_template" ("id" SERIAL NOT NULL PRIMARY KEY, "stage_id" '
        'INTEGER NOT NULL, "text" VARCHAR(300) NOT NULL, "position" INTEGER NOT NULL, "retired" BOOLEAN NOT '
        'NULL, FOREIGN KEY ("stage_id") REFERENCES "stage" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "benchmark_template_stage_id" ON "benchmark_template" ("stage_id")',
    (
        'CREATE TABLE IF NOT EXISTS "benchmark" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" INTEGER '
        'NOT NULL, "stage_id" INTEGER NOT NULL, "template_id" INTEGER, "text" VARCHAR(300) NOT NULL, '
        '"position" INTEGER NOT NULL, "completed_on" DATE, "evidence" TEXT NOT NULL, '
        '"completed_in_meeting_id" INTEGER, FOREIGN KEY ("engagement_id") REFERENCES "engagement" ("id") ON '
        'DELETE CASCADE, FOREIGN KEY ("stage_id") REFERENCES "stage" ("id") ON DELETE RESTRICT, FOREIGN KEY '
        '("template_id") REFERENCES "benchmark_template" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "benchmark_engagement_id" ON "benchmark" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "benchmark_stage_id" ON "benchmark" ("stage_id")',
    'CREATE INDEX IF NOT EXISTS "benchmark_template_id" ON "benchmark" ("template_id")',
    (
        'CREATE TABLE IF NOT EXISTS "competency_framework" ("id" SERIAL NOT NULL PRIMARY KEY, "key" '
        'VARCHAR(80) NOT NULL, "name" VARCHAR(200) NOT NULL, "short_name" VARCHAR(80) NOT NULL, "source" '
        'TEXT NOT NULL, "is_default" BOOLEAN NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "competency_framework_key" ON "competency_framework" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "competency_domain" ("id" SERIAL NOT NULL PRIMARY KEY, "framework_id" '
        'INTEGER NOT NULL, "key" VARCHAR(80) NOT NULL, "name" VARCHAR(200) NOT NULL, "position" INTEGER NOT '
        'NULL, FOREIGN KEY ("framework_id") REFERENCES "competency_framework" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "competency_domain_framework_id" ON "competency_domain" ("framework_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "competency_domain_framework_id_key" ON "competency_domain" '
        '("framework_id", "key")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "competency" ("id" SERIAL NOT NULL PRIMARY KEY, "domain_id" INTEGER NOT '
        'NULL, "key" VARCHAR(80) NOT NULL, "name" VARCHAR(200) NOT NULL, "help" TEXT NOT NULL, "position" '
        'INTEGER NOT NULL, "retired" BOOLEAN NOT NULL, FOREIGN KEY ("domain_id") REFERENCES '
        '"competency_domain" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "competency_domain_id" ON "competency" ("domain_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "competency_key" ON "competency" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "context_note" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "kind" VARCHAR(20) NOT NULL, "domain" VARCHAR(20) NOT NULL, "text" TEXT NOT NULL, '
        '"noted_on" DATE NOT NULL, "created_by_id" INTEGER, FOREIGN KEY ("engagement_id") REFERENCES '
        '"engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON '
        "DELETE SET NULL)"
    ),
    'CREATE INDEX IF NOT EXISTS "context_note_engagement_id" ON "context_note" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "context_note_created_by_id" ON "context_note" ("created_by_id")',
    (
        'CREATE TABLE IF NOT EXISTS "deliverable" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" INTEGER '
        'NOT NULL, "kind" VARCHAR(30) NOT NULL, "title" VARCHAR(300) NOT NULL, "due_on" DATE, "delivered_on" '
        'DATE, "link" VARCHAR(500) NOT NULL, "note" TEXT NOT NULL, FOREIGN KEY ("engagement_id") REFERENCES '
        '"engagement" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "deliverable_engagement_id" ON "deliverable" ("engagement_id")',
    (
        'CREATE TABLE IF NOT EXISTS "engagement_isp" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "user_id" INTEGER NOT NULL, "role" VARCHAR(20) NOT NULL, FOREIGN KEY '
        '("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") '
        'REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "engagement_isp_engagement_id" ON "engagement_isp" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "engagement_isp_user_id" ON "engagement_isp" ("user_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "engagement_isp_engagement_id_user_id" ON "engagement_isp" '
        '("engagement_id", "user_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "engagement_status_change" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"engagement_id" INTEGER NOT NULL, "from_status" VARCHAR(20) NOT NULL, "to_status" VARCHAR(20) NOT '
        'NULL, "changed_on" DATE NOT NULL, "reason" TEXT NOT NULL, "changed_by_id" INTEGER, "created_at" '
        'TIMESTAMP NOT NULL, FOREIGN KEY ("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("changed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    (
        'CREATE INDEX IF NOT EXISTS "engagement_status_change_engagement_id" ON "engagement_status_change" '
        '("engagement_id")'
    ),
    (
        'CREATE INDEX IF NOT EXISTS "engagement_status_change_changed_by_id" ON "engagement_status_change" '
        '("changed_by_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "feedback_instrument" ("id" SERIAL NOT NULL PRIMARY KEY, "key" '
        'VARCHAR(80) NOT NULL, "version" INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "definition" TEXT '
        "NOT NULL)"
    ),
    ('CREATE UNIQUE INDEX IF NOT EXISTS "feedback_instrument_key_version" ON "feedback_instrument" ("key", "version")'),
    (
        'CREATE TABLE IF NOT EXISTS "meeting" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" INTEGER NOT '
        'NULL, "date" DATE NOT NULL, "kind" VARCHAR(20) NOT NULL, "mode" VARCHAR(20) NOT NULL, '
        '"duration_minutes" INTEGER NOT NULL, "notes" TEXT NOT NULL, "logged_by_id" INTEGER, "created_at" '
        'TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "deleted_at" TIMESTAMP, FOREIGN KEY '
        '("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("logged_by_id") '
        'REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_engagement_id" ON "meeting" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_date" ON "meeting" ("date")',
    'CREATE INDEX IF NOT EXISTS "meeting_logged_by_id" ON "meeting" ("logged_by_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_engagement_id_date" ON "meeting" ("engagement_id", "date")',
    (
        'CREATE TABLE IF NOT EXISTS "feedback_response" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "instrument_id" INTEGER NOT NULL, "kind" VARCHAR(10) NOT NULL, "meeting_id" '
        'INTEGER, "respondent_id" INTEGER, "respondent_email" VARCHAR(254) NOT NULL, "anonymous" BOOLEAN NOT '
        'NULL, "submitted_on" DATE NOT NULL, "comments" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, '
        '"deleted_at" TIMESTAMP, FOREIGN KEY ("engagement_id") REFERENCES "engagement" ("id") ON DELETE '
        'CASCADE, FOREIGN KEY ("instrument_id") REFERENCES "feedback_instrument" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("meeting_id") REFERENCES "meeting" ("id") ON DELETE SET NULL, FOREIGN KEY '
        '("respondent_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    ('CREATE INDEX IF NOT EXISTS "feedback_response_engagement_id" ON "feedback_response" ("engagement_id")'),
    ('CREATE INDEX IF NOT EXISTS "feedback_response_instrument_id" ON "feedback_response" ("instrument_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_response_meeting_id" ON "feedback_response" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "feedback_response_respondent_id" ON "feedback_response" ("respondent_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_response_submitted_on" ON "feedback_response" ("submitted_on")',
    (
        'CREATE TABLE IF NOT EXISTS "feedback_item" ("id" SERIAL NOT NULL PRIMARY KEY, "instrument_id" '
        'INTEGER NOT NULL, "key" VARCHAR(80) NOT NULL, "scale" VARCHAR(40), "kind" VARCHAR(20) NOT NULL, '
        '"text" TEXT NOT NULL, "position" INTEGER NOT NULL, FOREIGN KEY ("instrument_id") REFERENCES '
        '"feedback_instrument" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "feedback_item_instrument_id" ON "feedback_item" ("instrument_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "feedback_item_instrument_id_key" ON "feedback_item" ("instrument_id", "key")'),
    (
        'CREATE TABLE IF NOT EXISTS "feedback_answer" ("id" SERIAL NOT NULL PRIMARY KEY, "response_id" '
        'INTEGER NOT NULL, "item_id" INTEGER NOT NULL, "value" INTEGER NOT NULL, FOREIGN KEY ("response_id") '
        'REFERENCES "feedback_response" ("id") ON DELETE CASCADE, FOREIGN KEY ("item_id") REFERENCES '
        '"feedback_item" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "feedback_answer_response_id" ON "feedback_answer" ("response_id")',
    'CREATE INDEX IF NOT EXISTS "feedback_answer_item_id" ON "feedback_answer" ("item_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "feedback_answer_response_id_item_id" ON "feedback_answer" '
        '("response_id", "item_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "team_member" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" INTEGER '
        'NOT NULL, "name" VARCHAR(200) NOT NULL, "email" VARCHAR(254) NOT NULL, "position" VARCHAR(20) NOT '
        'NULL, "user_id" INTEGER, "joined_on" DATE, "left_on" DATE, FOREIGN KEY ("engagement_id") REFERENCES '
        '"engagement" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE '
        "SET NULL)"
    ),
    'CREATE INDEX IF NOT EXISTS "team_member_engagement_id" ON "team_member" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "team_member_user_id" ON "team_member" ("user_id")',
    (
        'CREATE TABLE IF NOT EXISTS "feedback_invitation" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" '
        'INTEGER NOT NULL, "meeting_id" INTEGER, "instrument_id" INTEGER NOT NULL, "kind" VARCHAR(10) NOT '
        'NULL, "email" VARCHAR(254) NOT NULL, "team_member_id" INTEGER, "sent_by_id" INTEGER, "token_hash" '
        'VARCHAR(128) NOT NULL, "item_keys" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, "expires_at" '
        'TIMESTAMP NOT NULL, "used_at" TIMESTAMP, FOREIGN KEY ("engagement_id") REFERENCES "engagement" '
        '("id") ON DELETE CASCADE, FOREIGN KEY ("meeting_id") REFERENCES "meeting" ("id") ON DELETE SET '
        'NULL, FOREIGN KEY ("instrument_id") REFERENCES "feedback_instrument" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("team_member_id") REFERENCES "team_member" ("id") ON DELETE SET NULL, FOREIGN KEY '
        '("sent_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    ('CREATE INDEX IF NOT EXISTS "feedback_invitation_engagement_id" ON "feedback_invitation" ("engagement_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_invitation_meeting_id" ON "feedback_invitation" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "feedback_invitation_instrument_id" ON "feedback_invitation" ("instrument_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_invitation_email" ON "feedback_invitation" ("email")',
    ('CREATE INDEX IF NOT EXISTS "feedback_invitation_team_member_id" ON "feedback_invitation" ("team_member_id")'),
    'CREATE INDEX IF NOT EXISTS "feedback_invitation_sent_by_id" ON "feedback_invitation" ("sent_by_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "feedback_invitation_token_hash" ON "feedback_invitation" ("token_hash")'),
    (
        'CREATE TABLE IF NOT EXISTS "goal" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" INTEGER NOT '
        'NULL, "title" VARCHAR(300) NOT NULL, "indicator" TEXT NOT NULL, "target" TEXT NOT NULL, "status" '
        'VARCHAR(20) NOT NULL, "created_at" TIMESTAMP NOT NULL, "deleted_at" TIMESTAMP, FOREIGN KEY '
        '("engagement_id") REFERENCES "engagement" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "goal_engagement_id" ON "goal" ("engagement_id")',
    (
        'CREATE TABLE IF NOT EXISTS "goal_status_change" ("id" SERIAL NOT NULL PRIMARY KEY, "goal_id" '
        'INTEGER NOT NULL, "status" VARCHAR(20) NOT NULL, "changed_on" DATE NOT NULL, "note" TEXT NOT NULL, '
        '"meeting_id" INTEGER, "changed_by_id" INTEGER, FOREIGN KEY ("goal_id") REFERENCES "goal" ("id") ON '
        'DELETE CASCADE, FOREIGN KEY ("changed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "goal_status_change_goal_id" ON "goal_status_change" ("goal_id")',
    'CREATE INDEX IF NOT EXISTS "goal_status_change_meeting_id" ON "goal_status_change" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "goal_status_change_changed_by_id" ON "goal_status_change" ("changed_by_id")'),
    (
        'CREATE TABLE IF NOT EXISTS "meeting_attendee" ("id" SERIAL NOT NULL PRIMARY KEY, "meeting_id" '
        'INTEGER NOT NULL, "team_member_id" INTEGER, "user_id" INTEGER, FOREIGN KEY ("meeting_id") '
        'REFERENCES "meeting" ("id") ON DELETE CASCADE, FOREIGN KEY ("team_member_id") REFERENCES '
        '"team_member" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE '
        "CASCADE)"
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_attendee_meeting_id" ON "meeting_attendee" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "meeting_attendee_team_member_id" ON "meeting_attendee" ("team_member_id")'),
    'CREATE INDEX IF NOT EXISTS "meeting_attendee_user_id" ON "meeting_attendee" ("user_id")',
    (
        'CREATE TABLE IF NOT EXISTS "meeting_competency" ("id" SERIAL NOT NULL PRIMARY KEY, "meeting_id" '
        'INTEGER NOT NULL, "competency_id" INTEGER NOT NULL, "label" VARCHAR(200) NOT NULL, FOREIGN KEY '
        '("meeting_id") REFERENCES "meeting" ("id") ON DELETE CASCADE, FOREIGN KEY ("competency_id") '
        'REFERENCES "competency" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_competency_meeting_id" ON "meeting_competency" ("meeting_id")',
    ('CREATE INDEX IF NOT EXISTS "meeting_competency_competency_id" ON "meeting_competency" ("competency_id")'),
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "meeting_competency_meeting_id_competency_id" ON '
        '"meeting_competency" ("meeting_id", "competency_id")'
    ),
    (
        'CREATE INDEX IF NOT EXISTS "meeting_competency_competency_id_meeting_id" ON "meeting_competency" '
        '("competency_id", "meeting_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "principle" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(80) NOT '
        'NULL, "name" VARCHAR(200) NOT NULL, "help" TEXT NOT NULL, "source" VARCHAR(20) NOT NULL, "position" '
        'INTEGER NOT NULL, "retired" BOOLEAN NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "principle_key" ON "principle" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "meeting_principle" ("id" SERIAL NOT NULL PRIMARY KEY, "meeting_id" '
        'INTEGER NOT NULL, "principle_id" INTEGER NOT NULL, FOREIGN KEY ("meeting_id") REFERENCES "meeting" '
        '("id") ON DELETE CASCADE, FOREIGN KEY ("principle_id") REFERENCES "principle" ("id") ON DELETE '
        "RESTRICT)"
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_principle_meeting_id" ON "meeting_principle" ("meeting_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_principle_principle_id" ON "meeting_principle" ("principle_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "meeting_principle_meeting_id_principle_id" ON '
        '"meeting_principle" ("meeting_id", "principle_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "strategy_cluster" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(80) '
        'NOT NULL, "number" INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "help" TEXT NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "strategy_cluster_key" ON "strategy_cluster" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "strategy" ("id" SERIAL NOT NULL PRIMARY KEY, "cluster_id" INTEGER NOT '
        'NULL, "key" VARCHAR(80) NOT NULL, "number" INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "help" '
        'TEXT NOT NULL, "retired" BOOLEAN NOT NULL, FOREIGN KEY ("cluster_id") REFERENCES "strategy_cluster" '
        '("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "strategy_cluster_id" ON "strategy" ("cluster_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "strategy_key" ON "strategy" ("key")',
    (
        'CREATE TABLE IF NOT EXISTS "meeting_strategy" ("id" SERIAL NOT NULL PRIMARY KEY, "meeting_id" '
        'INTEGER NOT NULL, "strategy_id" INTEGER NOT NULL, "label" VARCHAR(200) NOT NULL, "minutes" INTEGER, '
        'FOREIGN KEY ("meeting_id") REFERENCES "meeting" ("id") ON DELETE CASCADE, FOREIGN KEY '
        '("strategy_id") REFERENCES "strategy" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "meeting_strategy_meeting_id" ON "meeting_strategy" ("meeting_id")',
    'CREATE INDEX IF NOT EXISTS "meeting_strategy_strategy_id" ON "meeting_strategy" ("strategy_id")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "meeting_strategy_meeting_id_strategy_id" ON "meeting_strategy" '
        '("meeting_id", "strategy_id")'
    ),
    (
        'CREATE INDEX IF NOT EXISTS "meeting_strategy_strategy_id_meeting_id" ON "meeting_strategy" '
        '("strategy_id", "meeting_id")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "next_step" ("id" SERIAL NOT NULL PRIMARY KEY, "meeting_id" INTEGER NOT '
        'NULL, "text" TEXT NOT NULL, "owner" VARCHAR(200) NOT NULL, "due_on" DATE, "done_on" DATE, FOREIGN '
        'KEY ("meeting_id") REFERENCES "meeting" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "next_step_meeting_id" ON "next_step" ("meeting_id")',
    'CREATE INDEX IF NOT EXISTS "next_step_due_on" ON "next_step" ("due_on")',
    (
        'CREATE TABLE IF NOT EXISTS "outbox_message" ("id" SERIAL NOT NULL PRIMARY KEY, "to_email" '
        'VARCHAR(254) NOT NULL, "subject" VARCHAR(300) NOT NULL, "body" TEXT NOT NULL, "created_at" '
        'TIMESTAMP NOT NULL, "sent_at" TIMESTAMP, "error" TEXT NOT NULL)'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "schema_version" ("version" INTEGER NOT NULL PRIMARY KEY, "name" '
        'VARCHAR(255) NOT NULL, "applied_at" TIMESTAMP NOT NULL)'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "sign_in_attempt" ("id" SERIAL NOT NULL PRIMARY KEY, "email" '
        'VARCHAR(254) NOT NULL, "address" VARCHAR(64) NOT NULL, "at" TIMESTAMP NOT NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "sign_in_attempt_email" ON "sign_in_attempt" ("email")',
    'CREATE INDEX IF NOT EXISTS "sign_in_attempt_address" ON "sign_in_attempt" ("address")',
    'CREATE INDEX IF NOT EXISTS "sign_in_attempt_at" ON "sign_in_attempt" ("at")',
    (
        'CREATE TABLE IF NOT EXISTS "stage_entry" ("id" SERIAL NOT NULL PRIMARY KEY, "engagement_id" INTEGER '
        'NOT NULL, "stage_id" INTEGER NOT NULL, "entered_on" DATE NOT NULL, "note" TEXT NOT NULL, '
        '"created_by_id" INTEGER, FOREIGN KEY ("engagement_id") REFERENCES "engagement" ("id") ON DELETE '
        'CASCADE, FOREIGN KEY ("stage_id") REFERENCES "stage" ("id") ON DELETE RESTRICT, FOREIGN KEY '
        '("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "stage_entry_engagement_id" ON "stage_entry" ("engagement_id")',
    'CREATE INDEX IF NOT EXISTS "stage_entry_stage_id" ON "stage_entry" ("stage_id")',
    'CREATE INDEX IF NOT EXISTS "stage_entry_created_by_id" ON "stage_entry" ("created_by_id")',
)


def up(database):
    for statement in SQLITE if is_sqlite() else POSTGRESQL:
        database.execute_sql(statement)

"""PAS endpoint: FHIR requests and their submissions (idempotent $submit, updates, inquiry), subscriptions and the
notification outbox.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fhir_requests',
    sa.Column('request_id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=120), nullable=False),
    sa.Column('pended', sa.Boolean(), nullable=False),
    sa.Column('notified_state', sa.String(length=120), nullable=True),
    sa.Column('cancelled', sa.JSON(), nullable=False),
    sa.Column('last_response_id', sa.String(length=36), nullable=True),
    sa.Column('last_response_json', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], ),
    sa.PrimaryKeyConstraint('request_id')
    )
    with op.batch_alter_table('fhir_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fhir_requests_last_response_id'), ['last_response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fhir_requests_org'), ['org'], unique=False)

    op.create_table('fhir_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=120), nullable=False),
    sa.Column('submit_key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('claim_keys', sa.JSON(), nullable=False),
    sa.Column('bundle_json', sa.Text(), nullable=False),
    sa.Column('response_json', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org', 'submit_key')
    )
    with op.batch_alter_table('fhir_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fhir_submissions_request_id'), ['request_id'], unique=False)

    op.create_table('fhir_subscriptions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=120), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('endpoint', sa.String(length=2000), nullable=False),
    sa.Column('content', sa.String(length=20), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('resource_json', sa.Text(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fhir_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fhir_subscriptions_org'), ['org'], unique=False)

    op.create_table('fhir_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=32), nullable=False),
    sa.Column('event_number', sa.Integer(), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('failed', sa.Boolean(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], ),
    sa.ForeignKeyConstraint(['subscription_id'], ['fhir_subscriptions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fhir_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fhir_outbox_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fhir_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_table('fhir_outbox')
    op.drop_table('fhir_subscriptions')
    op.drop_table('fhir_submissions')
    op.drop_table('fhir_requests')

"""Work queue: request identity and reference number, assignment, the stopped clock and extensions, corrected
decisions, reviewers' names and credentials, and stored letters.

Revision ID: 0003
Revises: 0002
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

REQUEST_COLUMNS = [
    ('reference', sa.String(length=40)), ('patient_name', sa.String(length=200)), ('patient_sex', sa.String(length=10)),
    ('member_id', sa.String(length=64)), ('ordering_name', sa.String(length=200)), ('ordering_npi', sa.String(length=10)),
    ('servicing_name', sa.String(length=200)), ('received_at', sa.DateTime()), ('assignee_id', sa.Integer()),
    ('decided_at', sa.DateTime()), ('extension_reason', sa.Text()), ('corrected_decision', sa.String(length=20)),
]


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('credentials', sa.String(length=80), nullable=True))
    with op.batch_alter_table('requests', schema=None) as batch_op:
        for name, type_ in REQUEST_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index(batch_op.f('ix_requests_reference'), ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_assignee_id'), ['assignee_id'], unique=False)
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrected_json', sa.Text(), nullable=True))
    op.create_table('letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'kind', 'version')
    )
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letters_request_id'), ['request_id'], unique=False)
    # requests made before this revision get a reference number and their submission time as received time
    conn = op.get_bind()
    requests = sa.table('requests', sa.column('id', sa.String), sa.column('reference', sa.String),
                        sa.column('submitted_at', sa.DateTime), sa.column('received_at', sa.DateTime))
    for rid, submitted in conn.execute(sa.select(requests.c.id, requests.c.submitted_at)).all():
        conn.execute(requests.update().where(requests.c.id == rid)
                     .values(reference="PA-" + secrets.token_hex(6).upper(), received_at=submitted))


def downgrade() -> None:
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letters_request_id'))
    op.drop_table('letters')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('corrected_json')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requests_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_requests_member_id'))
        batch_op.drop_index(batch_op.f('ix_requests_reference'))
        for name, _ in reversed(REQUEST_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('credentials')
        batch_op.drop_column('full_name')

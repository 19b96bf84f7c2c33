"""A clinic answers a request for information: the response deadline, when the answer arrived, and one review per
round (the first review, then one per answer), earlier rounds kept; each file records the round it was sent for.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# names for the constraints 0001 left unnamed, so that SQLite's table rebuild can drop the old one
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('information_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('information_received_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('review_round', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_round', sa.Integer(), server_default='1', nullable=False))
    old = 'reviews_request_id_key' if op.get_bind().dialect.name == 'postgresql' else 'uq_reviews_request_id'
    with op.batch_alter_table('reviews', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column('review_round', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint(old, type_='unique')
        batch_op.create_unique_constraint('uq_reviews_request_round', ['request_id', 'review_round'])
        batch_op.create_index(batch_op.f('ix_reviews_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_request_id'))
        batch_op.drop_constraint('uq_reviews_request_round', type_='unique')
        batch_op.drop_column('review_round')
        batch_op.create_unique_constraint('reviews_request_id_key', ['request_id'])
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.drop_column('review_round')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_column('review_round')
        batch_op.drop_column('information_received_at')
        batch_op.drop_column('information_due_at')

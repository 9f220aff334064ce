"""Monthly tallies of cases, escalations and hazards per community; indexes for the live part

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 21:46:55

The tallies are filled from the rows already recorded; from then on every write through the
application keeps them (models/tallies.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _tally_table(name, *counts):
    op.create_table(
        name,
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        *counts,
        sa.ForeignKeyConstraint(['community_id'], ['community.id'],
                                name=f'fk_{name}_community_id_community', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('community_id', 'month', name=f'pk_{name}'))


def upgrade():
    _tally_table('case_tally',
                 sa.Column('received', sa.Integer(), nullable=False),
                 sa.Column('closed', sa.Integer(), nullable=False),
                 sa.Column('closed_on_time', sa.Integer(), nullable=False),
                 sa.Column('closed_seconds', sa.BigInteger(), nullable=False))
    _tally_table('escalation_tally',
                 sa.Column('escalated', sa.Integer(), nullable=False))
    _tally_table('hazard_tally',
                 sa.Column('found', sa.Integer(), nullable=False),
                 sa.Column('clutter_found', sa.Integer(), nullable=False),
                 sa.Column('disposed', sa.Integer(), nullable=False),
                 sa.Column('clutter_cleared', sa.Integer(), nullable=False))
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.create_index('ix_case_record_closed_at', ['closed_at'], unique=False)
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.create_index('ix_hazard_disposed_at', ['disposed_at'], unique=False)
        batch_op.create_index('ix_hazard_found_at', ['found_at'], unique=False)

    # The one counting rule, shared with the application rather than restated in SQL here.
    from models.tallies import rebuild
    rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_found_at')
        batch_op.drop_index('ix_hazard_disposed_at')
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_closed_at')
    op.drop_table('hazard_tally')
    op.drop_table('escalation_tally')
    op.drop_table('case_tally')

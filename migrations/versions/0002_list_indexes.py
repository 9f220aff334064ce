"""Indexes for city-scale lists and figures: cases and hazards by area and time, timeline by time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:08:32

The composite indexes lead with area_id, so they replace the single-column ones; they also
carry the columns the dashboard's figures read. The timeline list pages newest first through
an index on the event time.
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_area_id')
        batch_op.create_index('ix_case_record_area_received',
                              ['area_id', 'received_at', 'closed_at', 'deadline'],
                              unique=False, postgresql_include=['id'])
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_at', ['at'], unique=False)
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_area_id')
        batch_op.create_index('ix_hazard_area_found', ['area_id', 'found_at', 'disposed_at',
                                                       'category', 'clearance_status'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_area_found')
        batch_op.create_index('ix_hazard_area_id', ['area_id'], unique=False)
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_at')
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_area_received')
        batch_op.create_index('ix_case_record_area_id', ['area_id'], unique=False)

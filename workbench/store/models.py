"""The tables a study is stored in: SQLAlchemy 2 typed declarative models.

These classes describe the schema for queries; they never create it. Tables are made and changed only by the
Alembic migrations in `workbench/store/migrations/versions/` (see `workbench.store.db.migrate`), and a test
checks that the migrations and these models agree. The ORM classes stay inside `workbench.store`: the API in
`workbench.store.studies` hands out plain dataclasses, so no page ever holds a live database object.

Times are stored in UTC and come back timezone-aware on every database (SQLite keeps no zone, so
`UTCDateTime` adds it back).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAME_LENGTH = 200  # study, map, author, sheet and file names
EMAIL_LENGTH = 320  # the longest address RFC 5321 allows

# Constraint names are spelled the same way on every database, so a later migration can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware (SQLite drops the zone; this restores it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class StudyRow(Base):
    """A study: one team's piece of work (a demand sample, its corrections, maps and comparisons)."""

    __tablename__ = "studies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    archived: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    # The database deletes the children (ON DELETE CASCADE); the ORM is told so and does not load them first.
    demand_sources: Mapped[list[DemandSourceRow]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True)
    corrections: Mapped[list[CorrectionRow]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True)
    maps: Mapped[list[MapRow]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True)
    comparison_runs: Mapped[list[ComparisonRunRow]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True)
    catalogue_versions: Mapped[list[CatalogueVersionRow]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True)
    members: Mapped[list[StudyMemberRow]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True)
    share_links: Mapped[list[ShareLinkRow]] = relationship(
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True)


class DemandSourceRow(Base):
    """A demand file exactly as uploaded, with how it was read. The study's current source is its latest."""

    __tablename__ = "demand_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))  # the file name
    data: Mapped[bytes] = mapped_column(LargeBinary)
    mapping: Mapped[dict[str, Any]]  # field -> column in the file (the load mapping)
    date_order: Mapped[str | None] = mapped_column(String(20))
    sheet: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    header_row: Mapped[int | None] = mapped_column(Integer)
    catalogue_text: Mapped[str | None] = mapped_column(Text)
    # the reading options beyond the five above (date format, time zone, no dates, handling unit), only those
    # set: one JSON column, so a new way of reading a file needs no migration (ReadOptions.extras)
    reading_extra: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")

    study: Mapped[StudyRow] = relationship(back_populates="demand_sources")


class CorrectionRow(Base):
    """One correction of one row's field of one demand file. `version` counts the corrections of that
    (source, row, field), from 1; the unique constraint makes two writers who both read version n unable to
    both write n + 1."""

    __tablename__ = "corrections"
    __table_args__ = (UniqueConstraint("source_id", "row", "field", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("demand_sources.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(50))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer)
    batch: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the action that made it, with others
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # how: "suggested, accepted" ...

    study: Mapped[StudyRow] = relationship(back_populates="corrections")


class MapRow(Base):
    """A process map of a study, by name; its text lives in numbered versions."""

    __tablename__ = "maps"
    __table_args__ = (UniqueConstraint("study_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))

    study: Mapped[StudyRow] = relationship(back_populates="maps")
    versions: Mapped[list[MapVersionRow]] = relationship(
        back_populates="map", cascade="all, delete-orphan", passive_deletes=True,
        order_by="MapVersionRow.version")


class MapVersionRow(Base):
    """One saved version of a map: the YAML text as written, who saved it and why. One person's edits made a
    few minutes apart are one version (`workbench.store.studies.save_map_version`)."""

    __tablename__ = "map_versions"
    __table_args__ = (UniqueConstraint("map_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    map_id: Mapped[int] = mapped_column(ForeignKey("maps.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime]  # when it was last saved (a person's edits in a row are one version)
    # a name people gave it ("agreed in workshop 2"): a named version is never added to by later edits
    label: Mapped[str] = mapped_column(String(NAME_LENGTH), default="", server_default="")
    # how many edits of one person it holds: 0 when it was not made by editing (a new map, a restore, a merge,
    # an import), which later edits are never added to either
    edits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    map: Mapped[MapRow] = relationship(back_populates="versions")


class CatalogueVersionRow(Base):
    """One saved version of a study's demand-type catalogue (the team's decisions per type), as YAML."""

    __tablename__ = "catalogue_versions"
    __table_args__ = (UniqueConstraint("study_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime]

    study: Mapped[StudyRow] = relationship(back_populates="catalogue_versions")


class ComparisonRunRow(Base):
    """A comparison of designs: the settings it ran with and its summary (`Comparison.to_json()`)."""

    __tablename__ = "comparison_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    settings: Mapped[dict[str, Any]]
    summary: Mapped[dict[str, Any]]
    author: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")

    study: Mapped[StudyRow] = relationship(back_populates="comparison_runs")


class StudyMemberRow(Base):
    """A person's role in a study on a shared server with sign-in: owner, editor or viewer, by email."""

    __tablename__ = "study_members"
    __table_args__ = (UniqueConstraint("study_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), index=True)  # stored lower-case
    role: Mapped[str] = mapped_column(String(16))
    added_by: Mapped[str] = mapped_column(String(NAME_LENGTH), default="", server_default="")
    added_at: Mapped[datetime]

    study: Mapped[StudyRow] = relationship(back_populates="members")


class ShareLinkRow(Base):
    """A read-only link to one study's dashboard. Only the token's SHA-256 is kept; the token is shown once."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(NAME_LENGTH), default="", server_default="")
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH), default="", server_default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)

    study: Mapped[StudyRow] = relationship(back_populates="share_links")


TABLES: tuple[str, ...] = tuple(Base.metadata.tables)

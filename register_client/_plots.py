"""Evidence plots kept with the register: the frozen PNG of each entry, by entry id."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, select

from ._errors import EntryError
from ._plumbing import Plumbing
from ._schema import evidence_plots
from ._triage import read_row

__all__ = ["PlotsMixin"]


class PlotsMixin(Plumbing):
    """Read an entry's stored evidence plot, or write it where its ``evidence_plot`` says."""

    def evidence_png(self, entry_id: str) -> bytes | None:
        """Return the entry's frozen evidence plot (PNG bytes), or None if none is stored.

        Raises
        ------
        EntryNotFound
            Naming the id, if no entry has it.

        Examples
        --------
        >>> from register_client import Candidate, connect
        >>> reg = connect("sqlite://")
        >>> _ = reg.file([Candidate.example(evidence_png=b"png", evidence_plot="e/{id}.png")])
        >>> reg.evidence_png("CIR-0001"), reg.get("CIR-0001").evidence_plot
        (b'png', 'e/CIR-0001.png')
        """

        def work(conn: Connection) -> bytes | None:
            seq = read_row(conn, entry_id).seq
            query = select(evidence_plots.c.content).where(evidence_plots.c.entry_seq == seq)
            content = conn.execute(query).scalar_one_or_none()
            return None if content is None else bytes(content)

        return self._run(work)

    def export_evidence(self, entry_id: str, path: Path) -> Path | None:
        """Write the entry's stored plot to `path` unless a file is there; return the path.

        Returns None when the register holds no plot for the entry. An existing file is
        never overwritten: plots are frozen evidence. A file there that is not this plot
        (another register's entry of the same id, say) is an error, not a success.

        Raises
        ------
        EntryError
            Naming the entry and the path, if `path` holds another file.

        Examples
        --------
        >>> import tempfile
        >>> from register_client import Candidate, connect
        >>> reg = connect("sqlite://")
        >>> _ = reg.file([Candidate.example(evidence_png=b"png")])
        >>> path = Path(tempfile.mkdtemp()) / "CIR-0001.png"
        >>> reg.export_evidence("CIR-0001", path) == reg.export_evidence("CIR-0001", path)
        True
        >>> _ = path.write_bytes(b"another plot")
        >>> reg.export_evidence("CIR-0001", path)
        Traceback (most recent call last):
        ...
        register_client._errors.EntryError: ... holds another file, not CIR-0001's plot; ...
        """
        content = self.evidence_png(entry_id)
        if content is None:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as out:
                out.write(content)
        except FileExistsError:
            if path.read_bytes() != content:
                raise EntryError(
                    entry_id,
                    f"{path} holds another file, not {entry_id}'s plot; "
                    "write it elsewhere (radar entries plot ID --out FILE)",
                ) from None
        return path

    def plot_file_matches(self, entry_id: str, path: Path) -> bool:
        """Whether `path` holds exactly the plot the register keeps for the entry."""
        content = self.evidence_png(entry_id)
        return content is not None and path.is_file() and path.read_bytes() == content

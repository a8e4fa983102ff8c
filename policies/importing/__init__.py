"""Legacy import: the branch network and the policies of the system the portal replaces.

Both imports validate every row first and write nothing when any row is bad; the report
names the row (as numbered in the file, the header being row 1), the column and the reason
in Chinese. Re-importing the same file changes nothing.
"""

from .branches import BRANCH_HEADER, BRANCH_LABELS, BranchImportResult, branches_import
from .csvfile import FileRejected, ImportRejected, Report
from .policy_import import PolicyImportResult, policies_import
from .policy_rows import POLICY_HEADER, POLICY_LABELS

__all__ = [
    "BRANCH_HEADER",
    "BRANCH_LABELS",
    "POLICY_HEADER",
    "POLICY_LABELS",
    "BranchImportResult",
    "FileRejected",
    "ImportRejected",
    "PolicyImportResult",
    "Report",
    "branches_import",
    "policies_import",
]

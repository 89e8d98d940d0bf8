"""Anomaly detectors: sales drops and ad-efficiency drops, with their evidence.

Pure detection lives in `sales` and `ads` (numpy arrays in, typed alerts out);
`scan` reads the database set-based and runs it for many sellers at once.
"""

from analytics.detectors.ads import AdDetectorConfig
from analytics.detectors.alerts import (
    AdDropEvidence,
    Alert,
    AlertKind,
    AlertsReport,
    SalesDropEvidence,
)
from analytics.detectors.sales import SalesDetectorConfig
from analytics.detectors.scan import (
    alerts_report,
    detect_for_seller,
    scan,
    scan_ads,
    scan_ads_per_seller,
    scan_sales,
    scan_sales_per_seller,
)

__all__ = [
    "AdDetectorConfig",
    "AdDropEvidence",
    "Alert",
    "AlertKind",
    "AlertsReport",
    "SalesDetectorConfig",
    "SalesDropEvidence",
    "alerts_report",
    "detect_for_seller",
    "scan",
    "scan_ads",
    "scan_ads_per_seller",
    "scan_sales",
    "scan_sales_per_seller",
]

//! The committee's dashboard and its exports. Every member sees it; those who do not
//! oversee every case see small counts hidden (`indicators`). An export is audited.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ExportedFile, Vault};
use crate::access::{Action, Permission, Resource};
use crate::indicators::{export, store, Disclosure, IndicatorQuery, Indicators};
use crate::{Error, Result};

/// Which report, in which format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The dashboard: a page a section.
    Dashboard,
    /// The funds by agency.
    Funds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Pdf,
    Csv,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReportExport {
    pub query: IndicatorQuery,
    pub kind: ReportKind,
    pub format: ReportFormat,
}

impl super::Open {
    async fn compute_indicators(&self, query: &IndicatorQuery) -> Result<Indicators> {
        let period = query.check()?;
        let disclosure = if self.actor().permissions.contains(&Permission::OverseeCases) {
            Disclosure::Full
        } else {
            Disclosure::Protected
        };
        let mut tx = self.pool.begin().await?;
        let indicators = store::compute(&mut tx, &period, disclosure).await?;
        tx.rollback().await?;
        Ok(indicators)
    }
}

impl Vault {
    /// The indicators for a period and a place, as this reader may see them.
    pub async fn indicators(&self, query: IndicatorQuery) -> Result<Indicators> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewIndicators, Resource::Team)
            .await?;
        open.compute_indicators(&query).await
    }

    /// The dashboard (PDF: a page a section; CSV: every table) or the funds by agency,
    /// into `dir`, with the counts hidden as this reader sees them. Audited.
    pub async fn export_indicators(
        &self,
        request: ReportExport,
        dir: &Path,
    ) -> Result<ExportedFile> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ExportIndicators, Resource::Team)
            .await?;
        let ind = open.compute_indicators(&request.query).await?;
        let team = open.team_name.clone();
        let bytes = match (request.kind, request.format) {
            (ReportKind::Dashboard, ReportFormat::Pdf) => {
                export::pdf(&ind, &team).map_err(|_| Error::Encode("the dashboard as PDF"))?
            }
            (ReportKind::Dashboard, ReportFormat::Csv) => export::csv(&ind).into_bytes(),
            (ReportKind::Funds, ReportFormat::Pdf) => export::funds_pdf(&ind, &team)
                .map_err(|_| Error::Encode("the funds report as PDF"))?,
            (ReportKind::Funds, ReportFormat::Csv) => export::funds_csv(&ind).into_bytes(),
        };
        let name = match request.kind {
            ReportKind::Dashboard => "indicators",
            ReportKind::Funds => "funds-by-agency",
        };
        let extension = match request.format {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Csv => "csv",
        };
        let path: PathBuf = dir.join(format!("ruam-{name}-{}-{}.{extension}", ind.from, ind.to));
        crate::paths::write_atomic(&path, &bytes)?;
        if let Err(err) = open.audit("report.export", None).await {
            if let Err(remove) = std::fs::remove_file(&path) {
                tracing::warn!(%remove, "could not remove an export that was not recorded");
            }
            return Err(err);
        }
        Ok(ExportedFile {
            path: path.display().to_string(),
            entries: 1,
        })
    }
}

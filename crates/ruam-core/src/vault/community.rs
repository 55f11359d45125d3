//! The community register's commands: villages (every member reads them; those who keep
//! the register add and change them), each write with its outbox change and audit entry
//! in one transaction, and the gazetteer they are placed by.

use super::Vault;
use crate::access::{Action, Resource};
use crate::community::gazetteer::{self, Place};
use crate::community::villages::{self, NewVillage, Village, VillageUpdate};
use crate::Result;

/// At most this many places answer one search of the gazetteer.
const PLACES_AT_MOST: usize = 50;

impl Vault {
    /// Every village the team covers.
    pub async fn villages(&self) -> Result<Vec<Village>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewCommunity, Resource::Community)
            .await?;
        let mut conn = open.pool.acquire().await?;
        villages::list(&mut conn).await
    }

    pub async fn add_village(&self, new: NewVillage) -> Result<Village> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut tx = open.pool.begin().await?;
        let village = villages::insert(&mut tx, &open.outbox, &open.member.id, &new).await?;
        open.audit_in(&mut tx, "village.add", Some(("village", &village.id)))
            .await?;
        tx.commit().await?;
        Ok(village)
    }

    pub async fn update_village(&self, update: VillageUpdate) -> Result<Village> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut tx = open.pool.begin().await?;
        let village = villages::update(&mut tx, &open.outbox, &open.member.id, &update).await?;
        open.audit_in(&mut tx, "village.update", Some(("village", &village.id)))
            .await?;
        tx.commit().await?;
        Ok(village)
    }

    /// Places of the gazetteer matching what is typed (any of their names, or a
    /// postcode), to place a village by. Needs an unlocked vault like every command.
    pub async fn find_places(&self, query: String) -> Result<Vec<Place>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewCommunity, Resource::Community)
            .await?;
        Ok(gazetteer::search(&query, PLACES_AT_MOST)
            .into_iter()
            .cloned()
            .collect())
    }
}

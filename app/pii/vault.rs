//! Sealing and opening one shop's customer fields.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection, Row};

use super::normalise::{normalise_email, normalise_phone};
use crate::clock::now_ms;
use crate::crypto::{self, MasterKey, Sealer};
use crate::store::Db;
use crate::store::ExecuteInTurn;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("shop {0} has no data key (unknown, or erased by shop/redact)")]
    NoShopKey(String),
    #[error("a protected field failed to open")]
    Unreadable,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The protected fields of one customer, in clear, in memory only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CustomerPii {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The default address as one JSON document.
    pub address: Option<String>,
}

impl std::fmt::Debug for CustomerPii {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CustomerPii(***)")
    }
}

#[derive(Debug, Clone)]
pub struct StoredPii {
    pub customer_id: String,
    pub fields: CustomerPii,
}

/// One shop's sealer and lookup key, derived from the master key and the shop's salt.
pub struct Vault {
    shop_id: String,
    sealer: Sealer,
    lookup_key: [u8; 32],
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments>;

const FIELDS: [&str; 5] = ["email", "phone", "first_name", "last_name", "address"];

impl Vault {
    pub async fn for_shop(db: &Db, master: &MasterKey, shop_id: &str) -> Result<Vault, VaultError> {
        let salt =
            sqlx::query_scalar::<_, Option<Vec<u8>>>("SELECT pii_salt FROM shops WHERE id = $1")
                .bind(shop_id)
                .fetch_optional(db.pool())
                .await?
                .flatten()
                .ok_or_else(|| VaultError::NoShopKey(shop_id.to_owned()))?;
        Ok(Vault {
            shop_id: shop_id.to_owned(),
            sealer: master.shop_pii_sealer(&salt),
            lookup_key: master.shop_pii_lookup_key(&salt),
        })
    }

    /// This shop's sealer, for other per-shop secrets kept at rest (raw webhook bodies,
    /// checkout recovery links).
    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    pub fn email_hash(&self, email: &str) -> Option<String> {
        normalise_email(email)
            .map(|e| crypto::keyed_hash(&self.lookup_key, format!("email:{e}").as_bytes()))
    }

    pub fn phone_hash(&self, phone: &str) -> Option<String> {
        normalise_phone(phone)
            .map(|p| crypto::keyed_hash(&self.lookup_key, format!("phone:{p}").as_bytes()))
    }

    /// A customer's id as a keyed hash: how an erased customer is remembered without their id.
    pub fn customer_hash(&self, customer_id: &str) -> String {
        crypto::keyed_hash(
            &self.lookup_key,
            format!("customer:{customer_id}").as_bytes(),
        )
    }

    fn context(&self, customer_id: &str, field: &str) -> Vec<u8> {
        format!("{}:{customer_id}:{field}", self.shop_id).into_bytes()
    }

    fn seal(&self, customer_id: &str, field: &str, value: Option<&String>) -> Option<Vec<u8>> {
        value.map(|v| {
            self.sealer
                .seal(v.as_bytes(), &self.context(customer_id, field))
        })
    }

    fn open(
        &self,
        customer_id: &str,
        field: &str,
        sealed: Option<Vec<u8>>,
    ) -> Result<Option<String>, VaultError> {
        sealed
            .map(|s| {
                self.sealer
                    .open_string(&s, &self.context(customer_id, field))
                    .map_err(|_| VaultError::Unreadable)
            })
            .transpose()
    }

    /// Writes (or replaces) a customer's protected fields.
    pub async fn put(
        &self,
        db: &Db,
        customer_id: &str,
        pii: &CustomerPii,
    ) -> Result<(), VaultError> {
        self.upsert(customer_id, pii).execute_in_turn(db).await?;
        Ok(())
    }

    /// [`Vault::put`] inside the caller's write transaction.
    pub async fn put_in(
        &self,
        conn: &mut AnyConnection,
        customer_id: &str,
        pii: &CustomerPii,
    ) -> Result<(), VaultError> {
        self.upsert(customer_id, pii).execute(conn).await?;
        Ok(())
    }

    fn upsert<'q>(&'q self, customer_id: &'q str, pii: &CustomerPii) -> AnyQuery<'q> {
        let values = [
            &pii.email,
            &pii.phone,
            &pii.first_name,
            &pii.last_name,
            &pii.address,
        ];
        let mut sealed = FIELDS
            .iter()
            .zip(values)
            .map(|(field, value)| self.seal(customer_id, field, value.as_ref()));
        let mut next = || sealed.next().flatten();
        sqlx::query(
            "INSERT INTO customer_pii (shop_id, customer_id, email_hash, phone_hash, email_enc, phone_enc, first_name_enc, \
             last_name_enc, address_enc, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (shop_id, customer_id) DO UPDATE SET email_hash = excluded.email_hash, phone_hash = excluded.phone_hash, \
             email_enc = excluded.email_enc, phone_enc = excluded.phone_enc, first_name_enc = excluded.first_name_enc, \
             last_name_enc = excluded.last_name_enc, address_enc = excluded.address_enc, updated_at = excluded.updated_at",
        )
        .bind(&self.shop_id)
        .bind(customer_id)
        .bind(pii.email.as_deref().and_then(|e| self.email_hash(e)))
        .bind(pii.phone.as_deref().and_then(|p| self.phone_hash(p)))
        .bind(next())
        .bind(next())
        .bind(next())
        .bind(next())
        .bind(next())
        .bind(now_ms())
    }

    /// Folds a partial snapshot (a bulk row) into a customer's stored fields, inside the
    /// caller's write transaction: present values replace, absent ones keep what is stored, and
    /// the address is taken only when none is stored, since a bulk row's address is its
    /// country alone.
    pub async fn merge_in(
        &self,
        conn: &mut AnyConnection,
        customer_id: &str,
        pii: &CustomerPii,
    ) -> Result<(), VaultError> {
        let stored = self.fetch(customer_id).fetch_optional(&mut *conn).await?;
        let stored = stored
            .map(|row| self.opened(customer_id, &row))
            .transpose()?;
        let base = stored.clone().unwrap_or_default();
        let merged = CustomerPii {
            email: pii.email.clone().or(base.email),
            phone: pii.phone.clone().or(base.phone),
            first_name: pii.first_name.clone().or(base.first_name),
            last_name: pii.last_name.clone().or(base.last_name),
            address: base.address.or_else(|| pii.address.clone()),
        };
        if stored.as_ref() == Some(&merged) {
            return Ok(());
        }
        self.put_in(conn, customer_id, &merged).await
    }

    pub async fn get(&self, db: &Db, customer_id: &str) -> Result<Option<CustomerPii>, VaultError> {
        let row = self.fetch(customer_id).fetch_optional(db.pool()).await?;
        row.map(|row| self.opened(customer_id, &row)).transpose()
    }

    fn fetch<'q>(&'q self, customer_id: &'q str) -> AnyQuery<'q> {
        sqlx::query(
            "SELECT email_enc, phone_enc, first_name_enc, last_name_enc, address_enc FROM customer_pii \
             WHERE shop_id = $1 AND customer_id = $2",
        )
        .bind(&self.shop_id)
        .bind(customer_id)
    }

    fn opened(&self, customer_id: &str, row: &AnyRow) -> Result<CustomerPii, VaultError> {
        let field = |name: &str| -> Result<Option<String>, VaultError> {
            let sealed: Option<Vec<u8>> = row.try_get(format!("{name}_enc").as_str())?;
            self.open(customer_id, name, sealed)
        };
        Ok(CustomerPii {
            email: field("email")?,
            phone: field("phone")?,
            first_name: field("first_name")?,
            last_name: field("last_name")?,
            address: field("address")?,
        })
    }

    /// Customers of this shop with this email (any spelling).
    pub async fn find_by_email(&self, db: &Db, email: &str) -> Result<Vec<String>, VaultError> {
        let Some(hash) = self.email_hash(email) else {
            return Ok(Vec::new());
        };
        Ok(sqlx::query_scalar::<_, String>(
            "SELECT customer_id FROM customer_pii WHERE shop_id = $1 AND email_hash = $2",
        )
        .bind(&self.shop_id)
        .bind(hash)
        .fetch_all(db.pool())
        .await?)
    }
}

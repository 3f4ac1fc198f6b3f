//! Why reading profiles for the admin failed.

use crate::error::AppError;
use crate::pii::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("the cursor is not one this list gave out")]
    BadCursor,
    #[error("a stored segment rule could not be read: {0}")]
    Rule(String),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<QueryError> for AppError {
    fn from(err: QueryError) -> AppError {
        match err {
            QueryError::BadCursor => AppError::BadRequest(err.to_string()),
            other => AppError::internal(other),
        }
    }
}

//! Where settings come from: the environment wins over the optional TOML file.

use std::collections::HashMap;

pub struct Source {
    values: HashMap<String, String>,
}

impl Source {
    pub fn from_env() -> Result<Source, String> {
        let mut values = HashMap::new();
        if let Ok(path) = std::env::var("SEGOPS_CONFIG") {
            let text = std::fs::read_to_string(&path).map_err(|err| {
                format!("SEGOPS_CONFIG points at {path}, which cannot be read: {err}")
            })?;
            values =
                parse_toml(&text).map_err(|err| format!("SEGOPS_CONFIG file {path}: {err}"))?;
        }
        for (key, value) in std::env::vars() {
            if key.starts_with("SEGOPS_") {
                values.insert(key, value);
            }
        }
        Ok(Source { values })
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Source {
        Source {
            values: pairs.into_iter().collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.values.get(key).cloned()
    }
}

/// `shopify_api_key = "…"` in the file means `SEGOPS_SHOPIFY_API_KEY`.
fn parse_toml(text: &str) -> Result<HashMap<String, String>, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|err: toml::de::Error| err.to_string())?;
    table
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                other => return Err(format!("{key} must be a string, got {}", other.type_str())),
            };
            Ok((format!("SEGOPS_{}", key.to_ascii_uppercase()), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_keys_map_to_environment_names() {
        let values = super::parse_toml("app_url = \"https://x\"\nbind = \"0.0.0.0:1\"").unwrap();
        assert_eq!(values["SEGOPS_APP_URL"], "https://x");
        assert!(super::parse_toml("app_url = [1]").is_err());
    }
}

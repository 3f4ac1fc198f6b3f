//! Calls the embedded admin's JSON API makes, each with a fresh session token for the shop, and
//! the waits and sandbox reads the admin-driven tests share.

use serde_json::Value;

use super::TestApp;

impl TestApp {
    /// An `/admin/api` call as the embedded admin makes it; returns the status and JSON answer
    /// (`Null` when the answer is not JSON).
    pub async fn admin_call(
        &self,
        shop: &str,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.app_url))
            .bearer_auth(self.session_token(shop).await)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn admin_post(&self, shop: &str, path: &str, body: Value) -> (u16, Value) {
        self.admin_call(shop, reqwest::Method::POST, path, body)
            .await
    }

    /// Lets every webhook land and every job run, `rounds` times over (a tag push causes a
    /// customer update, which can cause another evaluation), and fails if any job was parked.
    pub async fn settle(&self, rounds: usize) {
        for _ in 0..rounds {
            self.sandbox_idle().await;
            let report = self.drain().await;
            assert_eq!(report.parked, 0, "{report:?}");
        }
    }

    /// A sandbox customer's tags, sorted.
    pub async fn customer_tags(&self, shop: &str, customer_id: &Value) -> Vec<String> {
        let body = self
            .sandbox_get(&format!("/shops/{shop}/customers/{customer_id}/tags"))
            .await;
        let mut tags: Vec<String> = serde_json::from_value(body["tags"].clone()).unwrap();
        tags.sort();
        tags
    }
}

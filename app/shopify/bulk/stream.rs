//! Reading a bulk result file as it downloads: one line at a time, each root object handed
//! out with its child lines (which Shopify writes right after their parent) nested under the
//! connection field they came from, as `{"nodes": [...]}`.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::BulkError;

/// Child lines whose parent has GID type `parent_type` belong under `field`.
#[derive(Debug, Clone, Copy)]
pub struct ChildField {
    pub parent_type: &'static str,
    pub field: &'static str,
}

/// The `Order` in `gid://shopify/Order/1`.
fn gid_type(id: &str) -> Option<&str> {
    id.strip_prefix("gid://shopify/")?.split('/').next()
}

/// A bulk result being downloaded, yielding whole root objects.
pub struct ResultStream {
    response: reqwest::Response,
    children: &'static [ChildField],
    buffer: Vec<u8>,
    line: u64,
    finished: bool,
    /// The root being assembled and, for each id inside it, the JSON pointer to that object.
    pending: Option<(Value, HashMap<String, String>)>,
}

impl ResultStream {
    pub async fn open(
        http: &reqwest::Client,
        url: &str,
        children: &'static [ChildField],
    ) -> Result<Self, BulkError> {
        let response = http
            .get(url)
            .send()
            .await
            .map_err(|e| BulkError::Download(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(BulkError::Download(format!(
                "the result file answered HTTP {}",
                response.status().as_u16()
            )));
        }
        Ok(Self {
            response,
            children,
            buffer: Vec::new(),
            line: 0,
            finished: false,
            pending: None,
        })
    }

    /// The next raw line, or None at the end of the file.
    async fn next_line(&mut self) -> Result<Option<Vec<u8>>, BulkError> {
        loop {
            if let Some(at) = self.buffer.iter().position(|b| *b == b'\n') {
                let rest = self.buffer.split_off(at + 1);
                let mut line = std::mem::replace(&mut self.buffer, rest);
                line.pop();
                return Ok(Some(line));
            }
            if self.finished {
                return Ok((!self.buffer.is_empty()).then(|| std::mem::take(&mut self.buffer)));
            }
            match self
                .response
                .chunk()
                .await
                .map_err(|e| BulkError::Download(e.without_url().to_string()))?
            {
                Some(bytes) => self.buffer.extend_from_slice(&bytes),
                None => self.finished = true,
            }
        }
    }

    /// The next root object with its children nested, or None when the file is done.
    pub async fn next(&mut self) -> Result<Option<Value>, BulkError> {
        while let Some(raw) = self.next_line().await? {
            self.line += 1;
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut value: Value =
                serde_json::from_slice(&raw).map_err(|e| BulkError::BadLine {
                    line: self.line,
                    reason: e.to_string(),
                })?;
            let parent = value
                .as_object_mut()
                .and_then(|o| o.remove("__parentId"))
                .and_then(|p| p.as_str().map(str::to_owned));
            match parent {
                None => {
                    let mut index = HashMap::new();
                    if let Some(id) = value["id"].as_str() {
                        index.insert(id.to_owned(), String::new());
                    }
                    if let Some((done, _)) = self.pending.replace((value, index)) {
                        return Ok(Some(done));
                    }
                }
                Some(parent) => self.attach(&parent, value)?,
            }
        }
        Ok(self.pending.take().map(|(root, _)| root))
    }

    fn attach(&mut self, parent: &str, child: Value) -> Result<(), BulkError> {
        let line = self.line;
        let unplaced = |reason: String| BulkError::BadLine { line, reason };
        let (root, index) = self
            .pending
            .as_mut()
            .ok_or_else(|| unplaced(format!("child of {parent} before any parent")))?;
        let pointer = index
            .get(parent)
            .cloned()
            .ok_or_else(|| unplaced(format!("parent {parent} is not in the current object")))?;
        let kind = gid_type(parent).unwrap_or_default();
        let field = self
            .children
            .iter()
            .find(|c| c.parent_type == kind)
            .map(|c| c.field)
            .ok_or_else(|| unplaced(format!("no connection field known for children of {kind}")))?;
        let target = root
            .pointer_mut(&pointer)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| unplaced(format!("parent {parent} is not an object")))?;
        let slot = target
            .entry(field)
            .or_insert_with(|| json!({ "nodes": [] }));
        let nodes = slot
            .get_mut("nodes")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| unplaced(format!("{field} already holds a non-connection value")))?;
        let child_pointer = format!("{pointer}/{field}/nodes/{}", nodes.len());
        if let Some(id) = child.get("id").and_then(Value::as_str) {
            index.insert(id.to_owned(), child_pointer);
        }
        nodes.push(child);
        Ok(())
    }
}

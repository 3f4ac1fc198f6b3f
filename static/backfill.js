// The dashboard's "History import" card: polls /admin/api/backfill until the import is over,
// updating the progress bar and the suggestion without reloading the page; "Create segment"
// accepts the suggestion. Plain DOM; calls go through static/admin.js (`segops.api`), which uses
// App Bridge's fresh session tokens when it is there and the page's token otherwise.
(function () {
  const card = document.getElementById('backfill-card');
  if (!card) return;
  const token = card.dataset.token;
  const q = (id) => card.querySelector('[data-testid="' + id + '"]');

  function segmentLink(id) {
    return '/admin/segments?id_token=' + encodeURIComponent(token) + '#segment-' + encodeURIComponent(id);
  }

  function renderSuggestion(s) {
    const box = q('suggestion');
    if (!box || !s) return;
    box.hidden = false;
    box.replaceChildren();
    const h = document.createElement('h3');
    h.textContent = 'Suggested first segment';
    const title = document.createElement('p');
    const name = document.createElement('strong');
    name.dataset.testid = 'suggestion-name';
    name.textContent = s.name;
    const members = document.createElement('span');
    members.dataset.testid = 'suggestion-members';
    members.textContent = s.members;
    title.append(name, ' · ', members, ' customers');
    const rule = document.createElement('code');
    rule.dataset.testid = 'suggestion-rule';
    rule.textContent = s.rule;
    const why = document.createElement('p');
    why.className = 'subdued';
    why.dataset.testid = 'suggestion-why';
    why.textContent = s.why;
    const rulePara = document.createElement('p');
    rulePara.append(rule);
    box.append(h, title, rulePara, why);
    if (s.segment_id) {
      const a = document.createElement('a');
      a.className = 'button';
      a.dataset.testid = 'suggestion-link';
      a.href = segmentLink(s.segment_id);
      a.textContent = 'View segment';
      box.append(a);
    } else {
      const b = document.createElement('button');
      b.className = 'button button-primary';
      b.dataset.testid = 'suggestion-accept';
      b.id = 'suggestion-accept';
      b.textContent = 'Create segment';
      box.append(b);
      wireAccept(b);
    }
  }

  function render(p) {
    // No import yet: the API answers null, which segops.api hands over as {}.
    if (!p || !p.phase) return;
    const bar = q('backfill-progress');
    if (bar) {
      bar.value = p.percent;
      bar.setAttribute('aria-valuenow', String(p.percent));
      bar.textContent = p.percent + '%';
    }
    const phase = q('backfill-phase');
    if (phase) {
      phase.textContent = p.label;
      phase.className = 'badge badge-' + (p.phase === 'done' ? 'success' : p.phase === 'failed' ? 'critical' : 'attention');
    }
    const percent = q('backfill-percent');
    if (percent) percent.textContent = p.percent + '%';
    const rows = q('backfill-rows');
    if (rows) rows.textContent = p.rows_done + ' of ' + p.rows_expected;
    const error = q('backfill-error');
    if (error) {
      error.hidden = p.phase !== 'failed';
      error.textContent = p.error || '';
    }
    if (p.suggestion) renderSuggestion(p.suggestion);
  }

  function wireAccept(button) {
    if (!button) return;
    button.addEventListener('click', async function () {
      button.disabled = true;
      button.textContent = 'Creating…';
      const result = await segops.api('/admin/api/segments/suggested', { method: 'POST' });
      if (result.ok) {
        const segment = result.body;
        const a = document.createElement('a');
        a.className = 'button';
        a.dataset.testid = 'suggestion-link';
        a.href = segmentLink(segment.id);
        a.textContent = 'View segment “' + segment.name + '”';
        button.replaceWith(a);
        segops.toast('Segment “' + segment.name + '” created');
      } else {
        const body = result.body;
        button.disabled = false;
        button.textContent = 'Create segment';
        const error = q('backfill-error');
        if (error) {
          error.hidden = false;
          error.textContent = body.error || ('Could not create the segment (' + result.status + ')');
        }
        segops.error(body.error || ('Could not create the segment (' + result.status + ')'));
      }
    });
  }

  // The suggestion is computed just after the import ends: a few more polls catch it.
  let pollsAfterDone = 0;

  async function poll() {
    try {
      const result = await segops.api('/admin/api/backfill');
      if (result.ok) {
        const p = result.body;
        render(p);
        if (p && p.phase === 'done') pollsAfterDone += 1;
        if (p && (p.phase === 'failed' || (p.phase === 'done' && (p.suggestion || pollsAfterDone > 3)))) return;
      }
    } catch (_) {
      // Offline for a moment: the next poll tries again.
    }
    setTimeout(poll, 1500);
  }

  wireAccept(document.getElementById('suggestion-accept'));
  poll();
})();

// Small progressive enhancements; every form works without this file.
document.addEventListener('click', (ev) => {
  const t = ev.target instanceof Element ? ev.target : null
  if (!t) return
  const add = t.closest('[data-add-row]')
  if (add) {
    ev.preventDefault()
    const box = document.getElementById(add.getAttribute('data-add-row'))
    const tpl = box && box.querySelector('template')
    if (tpl) { box.insertBefore(tpl.content.cloneNode(true), tpl); const rows = box.querySelectorAll('.row'); const last = rows[rows.length - 1]; last && last.querySelector('input') && last.querySelector('input').focus() }
    return
  }
  const rm = t.closest('[data-remove-row]')
  if (rm) {
    ev.preventDefault()
    const row = rm.closest('.row')
    if (row && row.parentElement.querySelectorAll('.row').length > 1) row.remove()
    return
  }
  const pick = t.closest('[data-pick-institution]')
  if (pick) {
    ev.preventDefault()
    const code = document.getElementById('supportedCode')
    const name = document.getElementById('supportedName')
    if (code) { code.value = pick.getAttribute('data-code'); code.dispatchEvent(new Event('change', { bubbles: true })) }
    if (name) name.value = pick.getAttribute('data-name')
    const shown = document.getElementById('supportedShown')
    if (shown) shown.textContent = pick.getAttribute('data-name') + '（' + pick.getAttribute('data-code') + '）'
    const res = document.getElementById('inst-results')
    if (res) res.innerHTML = ''
  }
})

// Behaviour that used to be inline handlers (the Content-Security-Policy allows no inline script):
// a form with data-confirm asks first; a control with data-autosubmit submits its form when changed.
document.addEventListener('submit', (ev) => {
  const f = ev.target instanceof HTMLFormElement ? ev.target : null
  const question = f && f.getAttribute('data-confirm')
  if (question && !window.confirm(question)) ev.preventDefault()
})
document.addEventListener('change', (ev) => {
  const t = ev.target instanceof Element ? ev.target : null
  if (t && t.hasAttribute('data-autosubmit') && t.form) t.form.requestSubmit()
})

// The schedule form shows only the section of the chosen kind (固定每週 or 指定日期時段); without this file both show.
function showScheduleKind() {
  const chosen = document.querySelector('input[name="scheduleKind"]:checked')
  if (!chosen) return
  for (const s of document.querySelectorAll('[data-kind-section]')) s.hidden = s.getAttribute('data-kind-section') !== chosen.value
}
document.addEventListener('change', (ev) => {
  const t = ev.target instanceof HTMLInputElement ? ev.target : null
  if (t && t.name === 'scheduleKind') showScheduleKind()
})
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showScheduleKind)
else showScheduleKind()

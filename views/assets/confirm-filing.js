// 確認案件內容後存檔送出 (the seed's last step): before a filing is sent, the whole case as typed is shown in a
// dialog: 確認送出 sends it, 返回修改 (or Esc) goes back to the form with everything kept. Drafts are saved without
// it. Without JavaScript the form is sent directly; the server checks everything either way.
(function () {
  var form = document.getElementById('report-form')
  if (!form) return
  var confirmed = false

  function text(el) { return el ? el.textContent.replace(/\s+/g, ' ').trim() : '' }
  function val(name) { var el = form.elements.namedItem(name); return el && 'value' in el ? String(el.value).trim() : '' }
  function values(name) { return Array.prototype.map.call(form.querySelectorAll('[name="' + name + '"]'), function (el) { return String(el.value).trim() }) }
  function chosen(id) { var s = document.getElementById(id); return s && s.selectedIndex > 0 ? text(s.options[s.selectedIndex]) : '' }
  function clock(hhmm) { return /^\d{4}$/.test(hhmm) ? hhmm.slice(0, 2) + ':' + hhmm.slice(2) : hhmm }
  function row(list, label, value) {
    var dt = document.createElement('dt'); dt.textContent = label
    var dd = document.createElement('dd'); dd.textContent = value || '（未填）'
    if (!value) dd.className = 'missing'
    list.appendChild(dt); list.appendChild(dd)
  }

  function summary() {
    var dl = document.createElement('dl'); dl.className = 'facts'
    if (form.elements.namedItem('applicantId')) row(dl, '醫事人員身分證號', val('applicantId'))
    row(dl, '被支援機構', text(document.getElementById('supportedShown')) || val('supportedCode'))
    row(dl, '支援科別', chosen('department'))
    row(dl, '支援目的', chosen('purpose'))
    var kind = form.querySelector('input[name="scheduleKind"]:checked')
    row(dl, '排班方式', kind ? text(kind.parentElement) : '')
    if (!kind || kind.value === 'weekly') {
      row(dl, '支援期間', val('from') && val('to') ? val('from') + ' 至 ' + val('to') : '')
      row(dl, '星期', Array.prototype.map.call(form.querySelectorAll('input[name="weekdays"]:checked'), function (c) { return text(c.parentElement) }).join('、'))
      var starts = values('winStart'), ends = values('winEnd')
      row(dl, '每日時段', starts.map(function (s, i) { return s || ends[i] ? clock(s) + '~' + clock(ends[i] || '') : '' }).filter(Boolean).join('、'))
    } else {
      var dates = values('sesDate'), ss = values('sesStart'), se = values('sesEnd')
      row(dl, '指定日期時段', dates.map(function (d, i) { return d ? d + ' ' + clock(ss[i] || '') + '~' + clock(se[i] || '') : '' }).filter(Boolean).join('、'))
    }
    if (form.elements.namedItem('reason')) row(dl, '變更理由', val('reason'))
    row(dl, '備註', val('note') || '無')
    var files = document.getElementById('attachments')
    if (files) row(dl, '附件', files.files && files.files.length ? Array.prototype.map.call(files.files, function (f) { return f.name }).join('、') : '無')
    return dl
  }

  var dialog = null
  function open(submitter) {
    if (!dialog) {
      dialog = document.createElement('dialog')
      dialog.id = 'confirm-filing'
      dialog.setAttribute('aria-labelledby', 'confirm-filing-title')
      dialog.innerHTML = '<h2 id="confirm-filing-title">確認案件內容後存檔送出</h2>' +
        '<p>請確認以下內容無誤；送出後即進入審核，如需修改請按「返回修改」。</p>' +
        '<div data-summary></div><div data-checks class="live-check"></div>' +
        '<div class="actions"><button type="button" data-confirm>確認送出</button> <button type="button" class="secondary" data-back>返回修改</button></div>'
      document.body.appendChild(dialog)
      dialog.querySelector('[data-back]').addEventListener('click', function () { dialog.close() })
    }
    var box = dialog.querySelector('[data-summary]')
    box.innerHTML = ''
    box.appendChild(summary())
    var checks = document.getElementById('checks')
    dialog.querySelector('[data-checks]').textContent = text(checks)
    var go = dialog.querySelector('[data-confirm]')
    go.onclick = function () {
      confirmed = true
      dialog.close()
      if (form.requestSubmit) form.requestSubmit(submitter); else submitter.click()
    }
    dialog.showModal()
    go.focus()
  }

  form.addEventListener('submit', function (ev) {
    var submitter = ev.submitter
    if (confirmed || !submitter || submitter.value === 'draft' || typeof HTMLDialogElement !== 'function') return
    ev.preventDefault()
    open(submitter)
  })
})()

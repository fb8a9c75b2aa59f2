// The login page: choose the role and method; card logins fetch a challenge from the server, have the card sign the
// login payload (prefix, purpose, this site's origin, the challenge: README 登入) and post certificate + signature
// back, then follow the redirect. Who gets the card to sign, in this order: (1) the HiCOS 跨平台網頁元件 (HiPKI
// LocalSignServer, hipki.js) when it answers, (2) the local reader agent `baobei reader` (PKCS#11 or PC/SC). The PIN
// goes to one of them only, never to the site. NHI card + password reads the inserted card through the agent; the
// card-less method needs neither. With the agent, the page lists the readers and the cards in them (kind and a masked
// holder hint, as the agent reads them without a PIN), lets the person choose when more than one card suits the
// method, and names a wrong card and its reader. Those are claims of the agent: the server verifies the card itself.
(function () {
  'use strict'
  var root = document.getElementById('login')
  if (!root) return
  var AGENT = root.getAttribute('data-agent')
  var HIPKI = root.getAttribute('data-hipki')
  var TOKEN = root.getAttribute('data-token')
  var hipkiAbsent = !window.BaobeiHipki || !HIPKI
  var userCert = null // what GetUserCert read: { certb64, slot, cn }
  var errorBox = document.getElementById('login-error')
  var infoBox = document.getElementById('login-info')
  var otpStep = 1
  var LABELS = {} // the card kinds' names (domain/card/reader-card.ts)
  try { LABELS = JSON.parse(root.getAttribute('data-card-labels') || '{}') } catch (e) { LABELS = {} }

  var MESSAGES = {
    AGENT_UNREACHABLE: '無法連線到本機讀卡程式。請先啟動讀卡程式（執行 baobei reader）並確認讀卡機已連接後再試。',
    CARD_ABSENT: '讀卡機中沒有卡片（或卡片在讀取中被取出），請插入卡片後再試。',
    READER_ABSENT: '找不到讀卡機，請確認讀卡機已連接後再試。',
    PIN_LOCKED: '卡片已鎖卡（PIN 碼錯誤次數過多），請洽發卡單位解鎖。',
    NETWORK: '無法連線到網站，請確認網路連線後再試。',
  }

  function q(sel) { return root.querySelector(sel) }
  function checked(name) { var el = root.querySelector('input[name="' + name + '"]:checked'); return el ? el.value : '' }
  function role() { return checked('role') || 'professional' }
  function method() { return role() === 'professional' ? checked('method') || 'hca' : 'card' }

  function show() {
    var r = role(), m = method()
    q('#method-choice').hidden = r !== 'professional'
    q('#form-card').hidden = !(m === 'hca' || m === 'card')
    q('#form-nhi').hidden = m !== 'nhi'
    q('#form-otp-1').hidden = m !== 'otp' || otpStep !== 1
    q('#form-otp-2').hidden = m !== 'otp' || otpStep !== 2
    var hints = root.querySelectorAll('[data-card-hint]')
    for (var i = 0; i < hints.length; i++) hints[i].hidden = hints[i].getAttribute('data-card-hint') !== r
    clearMessages()
    listQuietly()
  }

  function activeForm() {
    var forms = root.querySelectorAll('form.method')
    for (var i = 0; i < forms.length; i++) if (!forms[i].hidden) return forms[i]
    return null
  }
  function clearMessages() { errorBox.hidden = true; errorBox.textContent = ''; infoBox.hidden = true; infoBox.textContent = '' }
  function showError(err) {
    var msg = (err && err.message) || MESSAGES.NETWORK
    errorBox.textContent = msg
    errorBox.setAttribute('data-code', (err && err.code) || '')
    errorBox.hidden = false
    var f = activeForm()
    if (f) f.insertBefore(errorBox, f.firstChild) // next to the form in use
    infoBox.hidden = true
  }
  function showInfo(msg) {
    infoBox.textContent = msg
    infoBox.hidden = false
    var f = activeForm()
    if (f) f.insertBefore(infoBox, f.firstChild)
  }
  function busy(form, on) {
    var b = form.querySelectorAll('button')
    for (var i = 0; i < b.length; i++) b[i].disabled = on
    form.setAttribute('aria-busy', on ? 'true' : 'false')
  }

  function fail(code, message, details) { var e = new Error(message); e.code = code; e.details = details; return e }

  function readJson(res) { return res.json().catch(function () { return null }) }

  // the site's JSON login endpoints
  function post(path, body) {
    return fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-login-token': TOKEN, accept: 'application/json' },
      body: JSON.stringify(body || {}),
    }).catch(function () { throw fail('NETWORK', MESSAGES.NETWORK) }).then(function (res) {
      return readJson(res).then(function (json) {
        if (res.ok && json) return json
        var e = (json && json.error) || {}
        throw fail(e.code || 'HTTP_' + res.status, e.message || MESSAGES.NETWORK, e.details)
      })
    })
  }

  // the local reader agent
  function agentMessage(e) {
    if (e.code === 'PIN_WRONG') {
      var n = e.details && typeof e.details.remaining === 'number' ? e.details.remaining : null
      return n === null ? 'PIN 碼錯誤' : 'PIN 碼錯誤，尚可嘗試 ' + n + ' 次（錯誤次數過多將鎖卡）'
    }
    return MESSAGES[e.code] || e.message || '讀卡程式發生錯誤'
  }
  function agent(path, body) {
    var init = body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : { method: 'GET' }
    return fetch(AGENT + path, init).catch(function () { throw fail('AGENT_UNREACHABLE', MESSAGES.AGENT_UNREACHABLE) }).then(function (res) {
      return readJson(res).then(function (json) {
        if (res.ok && json) return json
        var e = (json && json.error) || { code: 'AGENT_ERROR' }
        throw fail(e.code, agentMessage(e), e.details)
      })
    })
  }

  function go(result) { window.location.assign(result.redirect || '/') }

  // the bytes a card signs (domain/card/login-payload.ts), base64: ASCII head + the 32 challenge bytes
  function payloadB64(challengeB64) { return btoa('BAOBEI-CARD-SIGN/1\nlogin\n' + window.location.origin + '\n' + atob(challengeB64)) }

  function via(way) {
    var el = q('#card-via')
    el.setAttribute('data-via', way)
    el.textContent = way === 'hipki' ? '使用：HiCOS 跨平台網頁元件' : '使用：本機讀卡程式 baobei reader'
  }
  function noSigner() {
    q('#hipki-missing').hidden = false
    return fail('NO_SIGNER', '未偵測到 HiCOS 跨平台網頁元件，也無法連線到本機讀卡程式，請依下方說明安裝或啟動後再試。')
  }
  /** The agent after the component: when the agent is not there either, say how to get one of them. */
  function agentAfterHipki(work) {
    return work().catch(function (e) { throw e.code === 'AGENT_UNREACHABLE' ? noSigner() : e })
  }

  function signViaHipki(pin) {
    var challenge
    return window.BaobeiHipki.call(HIPKI, function () {
      return post('/login/challenge').then(function (c) {
        challenge = c.challenge
        var req = { func: 'MakeSignature', tbs: payloadB64(c.challenge), tbsEncoding: 'base64', hashAlgorithm: 'SHA256', signatureType: 'PKCS1', withCardSN: 'true', pin: pin, nonce: '' }
        if (userCert && userCert.slot) req.slotDescription = userCert.slot
        return req
      })
    }).then(function (answer) {
      var err = window.BaobeiHipki.errorOf(answer)
      if (err) throw err
      var cert = answer.certb64 || (userCert && userCert.certb64)
      if (!cert || !answer.signature) throw fail('CARD_ABSENT', '無法讀取卡片憑證，請先按「讀取卡片」後再登入。')
      return { challenge: challenge, certificate: cert, signature: answer.signature, way: 'hipki' }
    })
  }
  // the readers and cards the agent sees, for the method chosen
  function wantedKind() { return method() === 'nhi' ? 'nhi' : role() }
  function kindLabel(k) { return LABELS[k] || LABELS.unknown || '卡片' }
  function cardName(r) { return kindLabel(r.kind) + (r.holderHint ? '（' + r.holderHint + '）' : '') }
  function readerName(r) { return '讀卡機「' + r.name + '」' + (r.token ? '（卡片標籤 ' + r.token + '）' : '') }
  // an agent older than the listing's `kind` (installed separately on the person's PC) still says the card type
  function kindOf(r) { return r.kind || (r.cardType === 'nhi' ? 'nhi' : r.cardType === 'hca' ? r.cardKind || 'pki' : 'unknown') }
  function withCard(readers) {
    return readers.filter(function (r) { return r.cardPresent }).map(function (r) {
      return { name: r.name, kind: kindOf(r), holderHint: r.holderHint, token: r.token }
    })
  }
  // the cards of the wanted kind; a certificate card the agent cannot place only when none is of that kind
  function suitable(readers, wanted) {
    var cards = withCard(readers)
    var exact = cards.filter(function (r) { return r.kind === wanted })
    if (exact.length || wanted === 'nhi') return exact
    return cards.filter(function (r) { return r.kind === 'pki' })
  }
  function choiceBox() { return method() === 'nhi' ? q('#nhi-choice') : q('#card-choice') }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e }
  /** Shows the cards found: the suitable ones as a radio list (the only one chosen by itself), the others named. */
  function renderChoice(readers) {
    var box = choiceBox(), wanted = wantedKind()
    var fit = suitable(readers, wanted)
    var others = withCard(readers).filter(function (r) { return !fit.some(function (f) { return f.name === r.name }) })
    var prev = box.querySelector('input:checked')
    prev = prev ? prev.value : ''
    box.textContent = ''
    box.hidden = !fit.length && !others.length
    if (fit.length) {
      var fs = el('fieldset', 'choice cards')
      fs.appendChild(el('legend', '', fit.length > 1 ? '找到 ' + fit.length + ' 張' + kindLabel(wanted) + '，請選擇要使用的卡片' : '使用的卡片'))
      fit.forEach(function (r) {
        var label = el('label')
        var input = el('input')
        input.type = 'radio'
        input.name = box.id + '-reader'
        input.value = r.name
        input.checked = fit.length === 1 || r.name === prev
        label.appendChild(input)
        label.appendChild(el('span', '', cardName(r) + '，' + readerName(r)))
        fs.appendChild(label)
      })
      box.appendChild(fs)
    }
    if (others.length) {
      box.appendChild(el('p', 'hint', fit.length ? '其他卡片（不適用於此登入方式）：' : '讀卡機中的卡片都不適用於此登入方式：'))
      var ul = el('ul', 'other-cards')
      others.forEach(function (r) { ul.appendChild(el('li', '', readerName(r) + '：' + cardName(r))) })
      box.appendChild(ul)
    }
    return fit
  }
  function noSuitable(readers, wanted) {
    var found = withCard(readers)
    if (!found.length) return fail('CARD_ABSENT', '讀卡機中沒有卡片，請插入' + kindLabel(wanted) + '後再試。')
    return fail('CARD_WRONG_KIND', found.map(function (r) { return readerName(r) + '中的是' + cardName(r) }).join('；') + '，請插入' + kindLabel(wanted) + '。')
  }
  function listed() {
    return agent('/readers').then(function (x) {
      var readers = x.readers || []
      if (!readers.length) { choiceBox().hidden = true; throw fail('READER_ABSENT', MESSAGES.READER_ABSENT) }
      return readers
    })
  }
  /** The reader whose card to use: the only suitable one, or the one chosen; else why none can be. */
  function chosenReader() {
    return listed().then(function (readers) {
      var wanted = wantedKind()
      var fit = renderChoice(readers)
      if (!fit.length) throw noSuitable(readers, wanted)
      var picked = choiceBox().querySelector('input:checked')
      if (picked) return picked.value
      throw fail('CARD_CHOOSE', '找到 ' + fit.length + ' 張' + kindLabel(wanted) + '，請先選擇要使用的卡片，再按登入。')
    })
  }
  // the agent's listing as soon as a method it serves is shown (nothing said when it is absent)
  function listQuietly() {
    var m = method()
    if (m === 'otp' || (!hipkiAbsent && m !== 'nhi')) return // NHI cards are always read through the agent
    agent('/readers').then(function (x) { if (method() === m) renderChoice(x.readers || []) }, function () {})
  }
  function signViaAgent(pin) {
    return chosenReader().then(function (reader) {
      return post('/login/challenge').then(function (c) {
        return agent('/sign', { challenge: c.challenge, pin: pin, reader: reader }).then(function (s) {
          return { challenge: c.challenge, certificate: s.certificate, signature: s.signature, way: 'agent' }
        })
      })
    })
  }
  function signed(pin) {
    if (hipkiAbsent) return agentAfterHipki(function () { return signViaAgent(pin) })
    return signViaHipki(pin).catch(function (e) {
      if (e.code !== 'HIPKI_ABSENT' && e.code !== 'POPUP_BLOCKED') throw e
      if (e.code === 'HIPKI_ABSENT') hipkiAbsent = true
      return signViaAgent(pin).catch(function (e2) {
        if (e2.code !== 'AGENT_UNREACHABLE') throw e2
        throw e.code === 'POPUP_BLOCKED' ? e : noSigner()
      })
    })
  }

  function onCard(ev) {
    ev.preventDefault()
    var form = ev.currentTarget
    var pinEl = q('#pin')
    var pin = pinEl.value
    clearMessages()
    if (!/^[0-9]{4,12}$/.test(pin)) { showError(fail('VALIDATION_FAILED', 'PIN 碼須為 4 至 12 位數字')); pinEl.focus(); return }
    busy(form, true)
    var r = role()
    signed(pin).then(function (s) {
      via(s.way)
      return post('/login/card', { role: r, challenge: s.challenge, certificate: s.certificate, signature: s.signature })
    }).then(go, function (e) {
      showError(e)
      busy(form, false)
      // nothing reached a card yet: the PIN stays; choosing comes first
      if (e.code !== 'CARD_CHOOSE' && e.code !== 'CARD_WRONG_KIND') pinEl.value = ''
      var radio = e.code === 'CARD_CHOOSE' && q('#card-choice input[type="radio"]')
      if (radio) radio.focus(); else pinEl.focus()
    })
  }

  // 讀取卡片: the card's certificate (GetUserCert) or, without the component, what the agent sees
  function cnOf(dn) { var m = /(?:^|,\s*)CN=([^,]+)/.exec(dn || ''); return m ? m[1] : '' }
  function showCard(text) { q('#card-info').textContent = text }
  function readViaAgent() {
    return listed().then(function (readers) {
      via('agent')
      var wanted = wantedKind()
      var fit = renderChoice(readers)
      if (!fit.length) throw noSuitable(readers, wanted)
      showCard(fit.length === 1 ? '已讀取卡片：' + cardName(fit[0]) + '，' + readerName(fit[0]) : '找到 ' + fit.length + ' 張' + kindLabel(wanted) + '，請在下方選擇。')
    })
  }
  function onReadCard(ev) {
    var button = ev.currentTarget
    clearMessages()
    showCard('')
    button.disabled = true
    var work = hipkiAbsent
      ? agentAfterHipki(readViaAgent)
      : window.BaobeiHipki.call(HIPKI, function () { return { func: 'GetUserCert' } }).then(function (answer) {
        var err = window.BaobeiHipki.errorOf(answer)
        if (err) throw err
        via('hipki')
        var slots = answer.slots || []
        if (!slots.length) throw fail('READER_ABSENT', MESSAGES.READER_ABSENT)
        var slot = slots.filter(function (s) { return s.token && s.token.certs && s.token.certs.length })[0]
        if (!slot) throw fail('CARD_ABSENT', MESSAGES.CARD_ABSENT)
        var certs = slot.token.certs
        var cert = certs.filter(function (c) { return /digitalSignature/i.test(c.usage || '') })[0] || certs[0]
        userCert = { certb64: cert.certb64, slot: slot.slotDescription, cn: cnOf(cert.subjectDN) }
        showCard('已讀取卡片：' + userCert.cn + '（' + slot.slotDescription + '）')
      }, function (e) {
        if (e.code !== 'HIPKI_ABSENT') throw e
        hipkiAbsent = true
        return agentAfterHipki(readViaAgent)
      })
    work.then(function () { button.disabled = false }, function (e) { showError(e); button.disabled = false })
  }

  function onNhi(ev) {
    ev.preventDefault()
    var form = ev.currentTarget
    var id = q('#nhi-id').value.trim().toUpperCase(), pw = q('#nhi-password').value
    clearMessages()
    if (!id || !pw) { showError(fail('VALIDATION_FAILED', '請輸入身分證號及健保卡網路服務註冊密碼')); return }
    busy(form, true)
    chosenReader().then(function (reader) {
      return agent('/nhi-card?reader=' + encodeURIComponent(reader))
    }).then(function (card) {
      return post('/login/nhi-password', { nationalId: id, password: pw, cardNumber: card.cardNumber, cardNationalId: card.nationalId })
    }).then(go, function (e) {
      if (e.code !== 'CARD_CHOOSE' && e.code !== 'CARD_WRONG_KIND') q('#nhi-password').value = ''
      showError(e)
      busy(form, false)
      var radio = e.code === 'CARD_CHOOSE' && q('#nhi-choice input[type="radio"]')
      if (radio) radio.focus()
    })
  }

  function sendCode(form) {
    var id = q('#otp-id').value.trim().toUpperCase()
    clearMessages()
    if (!id) { showError(fail('VALIDATION_FAILED', '請輸入身分證號')); return }
    busy(form, true)
    post('/login/otp/request', { nationalId: id }).then(function (r) {
      busy(form, false)
      otpStep = 2
      show()
      // step 2 names the ID being verified (masked as on every screen)
      q('#otp-who-id').textContent = id.length === 10 ? id.slice(0, 5) + 'XXXX' + id.slice(9) : id
      showInfo('新的驗證碼已傳送至 ' + r.phone + '，5 分鐘內有效。')
      q('#otp-code').focus()
    }, function (e) { showError(e); busy(form, false) })
  }

  function onOtpVerify(ev) {
    ev.preventDefault()
    var form = ev.currentTarget
    var id = q('#otp-id').value.trim().toUpperCase()
    var code = q('#otp-code').value.trim(), card = q('#otp-card').value.trim()
    clearMessages()
    if (!/^[0-9]{6}$/.test(code)) { showError(fail('VALIDATION_FAILED', '簡訊驗證碼為 6 位數字')); return }
    if (!/^[0-9]{12}$/.test(card)) { showError(fail('VALIDATION_FAILED', '健保卡卡號為 12 位數字')); return }
    busy(form, true)
    post('/login/otp/verify', { nationalId: id, code: code, cardNumber: card }).then(go, function (e) {
      q('#otp-code').value = ''
      if (e.code === 'OTP_EXPIRED' || e.code === 'OTP_NOT_REQUESTED') { otpStep = 1; show() }
      showError(e)
      busy(form, false)
    })
  }

  root.addEventListener('change', function (ev) {
    var t = ev.target
    if (t && (t.name === 'role' || t.name === 'method')) { otpStep = 1; show() }
  })
  q('#form-card').addEventListener('submit', onCard)
  q('#card-read').addEventListener('click', onReadCard)
  q('#form-nhi').addEventListener('submit', onNhi)
  q('#form-otp-1').addEventListener('submit', function (ev) { ev.preventDefault(); sendCode(ev.currentTarget) })
  q('#form-otp-2').addEventListener('submit', onOtpVerify)
  // 重新傳送: a new code for the same ID right away (the server's limits apply); 更換身分證號: back to step 1
  q('#otp-again').addEventListener('click', function () { sendCode(q('#form-otp-2')) })
  q('#otp-change-id').addEventListener('click', function () { otpStep = 1; show(); q('#otp-id').focus() })
  show()
  root.setAttribute('data-ready', '1')
})()

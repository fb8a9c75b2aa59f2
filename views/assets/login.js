// The login page: choose the role and method; card logins fetch a challenge from the server, have the card sign the
// login payload (prefix, purpose, this site's origin, the challenge: README 登入) and post certificate + signature
// back, then follow the redirect. Who gets the card to sign, in this order: (1) the HiCOS 跨平台網頁元件 (HiPKI
// LocalSignServer, hipki.js) when it answers, (2) the local reader agent `baobei reader` (PKCS#11 or PC/SC). The PIN
// goes to one of them only, never to the site. NHI card + password reads the inserted card through the agent; the
// card-less method needs neither.
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
  // with several cards in the agent's readers, the one of the kind this login wants (when the agent can tell)
  function agentReaderFor(kind) {
    return agent('/readers').then(function (x) {
      var match = (x.readers || []).filter(function (d) { return d.cardPresent && d.cardKind === kind })[0]
      return match ? match.name : undefined
    })
  }
  function signViaAgent(pin) {
    return agentReaderFor(role()).then(function (reader) {
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
      pinEl.value = ''
      showError(e)
      busy(form, false)
      pinEl.focus()
    })
  }

  // 讀取卡片: the card's certificate (GetUserCert) or, without the component, what the agent sees
  function cnOf(dn) { var m = /(?:^|,\s*)CN=([^,]+)/.exec(dn || ''); return m ? m[1] : '' }
  function showCard(text) { q('#card-info').textContent = text }
  function readViaAgent() {
    return agent('/readers').then(function (r) {
      via('agent')
      var withCard = (r.readers || []).filter(function (x) { return x.cardPresent && x.cardType !== 'nhi' })
      if (!(r.readers || []).length) throw fail('READER_ABSENT', MESSAGES.READER_ABSENT)
      if (!withCard.length) throw fail('CARD_ABSENT', MESSAGES.CARD_ABSENT)
      showCard('已讀取卡片：' + (withCard[0].holderName || '') + '（' + withCard[0].name + '）')
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
    agent('/nhi-card').then(function (card) {
      return post('/login/nhi-password', { nationalId: id, password: pw, cardNumber: card.cardNumber, cardNationalId: card.nationalId })
    }).then(go, function (e) {
      q('#nhi-password').value = ''
      showError(e)
      busy(form, false)
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

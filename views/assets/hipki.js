// The HiPKI LocalSignServer (中華電信 HiCOS 跨平台網頁元件, http://localhost:61161 by default) through its popupForm
// bridge, as public integrations use it (README, 登入 → HiPKI):
//   1. window.open(<component>/popupForm) from the person's click (else the browser blocks the popup)
//   2. the popup posts the string {"func":"getTbs"} to its opener when it is ready
//   3. we post the request as a JSON string ({"func":"GetUserCert"} or {"func":"MakeSignature", ...}), '+' sent as %2B
//   4. the popup posts the component's answer (a JSON string) back and closes itself
// One request per popup. No ready message within READY_MS: the component is not installed or not running.
// Answers: { ret_code, last_error, ... } with ret_code 0 for success; errorOf() turns the others into
// { code, message } in zh-TW.
(function () {
  'use strict'
  var READY_MS = 3500
  var ANSWER_MS = 90000

  function fail(code, message, details) { var e = new Error(message); e.code = code; e.details = details || {}; return e }

  var u32 = function (n) { n = Number(n) || 0; return n < 0 ? n + 0x100000000 : n }

  /** What a person can cause, as the component reports it (MajorErrorReason / MinorErrorReason of its samples). */
  function errorOf(answer) {
    var rc = u32(answer.ret_code), last = u32(answer.last_error)
    if (rc === 0) return null
    if (rc === 0x76000006) return fail('CARD_ABSENT', '讀卡機中沒有卡片，請插入卡片後再試。')
    if (rc === 0x76100003) return fail('READER_ABSENT', '找不到讀卡機，請確認讀卡機已連接後再試。')
    if (rc === 0x76000999) return fail('CANCELLED', '已取消。')
    if (rc === 0x7600000d) return fail('HIPKI_TIMEOUT', '跨平台網頁元件逾時，請再試一次。')
    if (rc === 0x7600000f || rc === 0x76000031) return fail('HIPKI_SITE_REFUSED', '跨平台網頁元件拒絕本網站（未列為信任網站），請於元件設定中加入本網站。')
    if (rc === 0x76000998) return fail('VALIDATION_FAILED', '請輸入 PIN 碼。')
    if (rc === 0x76100006 || last === 0xa0 || last === 0xa4 || last === 0x80000001 || last === 0x80000002) {
      if (last === 0xa4) return fail('PIN_LOCKED', '卡片已鎖卡（PIN 碼錯誤次數過多），請洽發卡單位解鎖。')
      if (last === 0x80000001) return fail('PIN_WRONG', 'PIN 碼錯誤，尚可嘗試 1 次（錯誤次數過多將鎖卡）', { remaining: 1 })
      if (last === 0x80000002) return fail('PIN_WRONG', 'PIN 碼錯誤，尚可嘗試 2 次（錯誤次數過多將鎖卡）', { remaining: 2 })
      if (last === 0xa2) return fail('PIN_WRONG', 'PIN 碼長度不正確')
      return fail('PIN_WRONG', 'PIN 碼錯誤')
    }
    return fail('HIPKI_ERROR', '跨平台網頁元件發生錯誤（代碼 0x' + rc.toString(16) + (last ? '／0x' + last.toString(16) : '') + '）')
  }

  /**
   * Opens the popup NOW (call it from the click), sends `request()`'s answer once the popup is ready, resolves with
   * the parsed answer. `request` may return a promise (the challenge is fetched while the popup loads).
   * Rejects HIPKI_ABSENT (no ready message), POPUP_BLOCKED, CANCELLED (popup closed), HIPKI_TIMEOUT.
   */
  function call(base, request) {
    var origin
    try { origin = new URL(base).origin } catch (e) { return Promise.reject(fail('HIPKI_ABSENT', '跨平台網頁元件位址不正確')) }
    var popup = window.open(base.replace(/\/+$/, '') + '/popupForm', 'hipki', 'width=320,height=220,left=100,top=40')
    if (!popup) return Promise.reject(fail('POPUP_BLOCKED', '瀏覽器封鎖了跨平台網頁元件的視窗，請允許本網站開啟彈出式視窗後再試。'))
    var pending = Promise.resolve().then(request)
    pending.catch(function () {})
    return new Promise(function (resolve, reject) {
      var ready = false, done = false
      function finish(err, value) {
        if (done) return
        done = true
        window.removeEventListener('message', onMessage)
        clearTimeout(readyTimer); clearTimeout(answerTimer); clearInterval(closedPoll)
        if (err) { try { popup.close() } catch (e) { /* gone */ } reject(err) } else resolve(value)
      }
      function onMessage(ev) {
        if (ev.origin !== origin || ev.source !== popup || typeof ev.data !== 'string') return
        var msg
        try { msg = JSON.parse(ev.data) } catch (e) { return }
        if (msg && msg.func === 'getTbs') {
          if (ready) return
          ready = true
          clearTimeout(readyTimer)
          pending.then(function (req) {
            if (done) return
            popup.postMessage(JSON.stringify(req).replace(/\+/g, '%2B'), origin)
          }, function (err) { finish(err) })
          return
        }
        if (ready) finish(null, msg)
      }
      window.addEventListener('message', onMessage)
      var readyTimer = setTimeout(function () { finish(fail('HIPKI_ABSENT', '未偵測到跨平台網頁元件')) }, READY_MS)
      var answerTimer = setTimeout(function () { finish(fail('HIPKI_TIMEOUT', '跨平台網頁元件沒有回應，請再試一次。')) }, ANSWER_MS)
      var closedPoll = setInterval(function () {
        if (popup.closed && !done) setTimeout(function () { finish(ready ? fail('CANCELLED', '元件視窗已關閉，未完成簽章。') : fail('HIPKI_ABSENT', '未偵測到跨平台網頁元件')) }, 300)
      }, 250)
    })
  }

  window.BaobeiHipki = { call: call, errorOf: errorOf }
})()

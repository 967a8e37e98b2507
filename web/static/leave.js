/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* "Leave quickly": replace this page and its history entry with a neutral
 * site, on the button or on Escape. No cookie, no storage.
 *
 * Escape leaves only when nothing else wants it: not while typing in a
 * field (a text box, the date field and its picker, a list, a tick box:
 * there Escape closes a picker, a "please fill out this field" bubble or
 * an input method's composition), not when another handler took it. The
 * page says so (#leave-keys, hidden without JavaScript, where Escape does
 * nothing). */
(function () {
    'use strict';
    var link = document.getElementById('leave');
    if (!link) return;
    var help = document.getElementById('leave-keys');
    if (help) help.hidden = false;
    function leave(ev) {
        if (ev) ev.preventDefault();
        document.title = '';
        document.body.hidden = true;
        window.location.replace(link.href);
    }
    function inField(el) {
        if (!el || !el.tagName) return false;
        var t = el.tagName.toLowerCase();
        return t === 'input' || t === 'textarea' || t === 'select' ||
            el.isContentEditable === true;
    }
    link.addEventListener('click', leave);
    document.addEventListener('keydown', function (ev) {
        if (ev.key !== 'Escape' && ev.key !== 'Esc') return;
        if (ev.defaultPrevented || ev.isComposing || ev.repeat) return;
        if (inField(ev.target) || inField(document.activeElement)) return;
        leave(ev);
    });
})();

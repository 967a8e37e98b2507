/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* "Leave quickly": replace this page and its history entry with a neutral
 * site, on the button or on Escape. No cookie, no storage. */
(function () {
    'use strict';
    var link = document.getElementById('leave');
    if (!link) return;
    function leave(ev) {
        if (ev) ev.preventDefault();
        document.title = '';
        document.body.hidden = true;
        window.location.replace(link.href);
    }
    link.addEventListener('click', leave);
    document.addEventListener('keydown', function (ev) {
        if (ev.key === 'Escape' || ev.key === 'Esc') leave(ev);
    });
})();

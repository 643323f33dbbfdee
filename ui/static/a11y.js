// Small accessibility fixes of Quasar's widgets, for every page (a file, not inline code,
// so a Content-Security-Policy may forbid inline scripts).
'use strict';

// Quasar's select puts its options in a virtual-scroll wrapper that takes tabindex="-1";
// a focusable element without a role inside a listbox hides the options' structure from
// screen readers (axe: aria-required-children). Nothing focuses the wrapper itself
// (the select moves an active-descendant highlight), so the attribute is dropped.
function untabListboxes() {
  for (const wrapper of document.querySelectorAll('[role=listbox] > .q-virtual-scroll__content[tabindex]')) {
    wrapper.removeAttribute('tabindex');
  }
}

// A menu (role="menu") answers to the arrows as menus do: down and up move between its
// entries, Home and End go to the first and the last; Quasar's menus know only TAB.
document.addEventListener('keydown', (event) => {
  const menu = event.target.closest && event.target.closest('[role=menu]');
  if (!menu || !['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
  const items = [...menu.querySelectorAll('[role^=menuitem]')].filter(
    (item) => item.getAttribute('aria-disabled') !== 'true' && item.checkVisibility(),
  );
  if (!items.length) return;
  const at = items.indexOf(event.target.closest('[role^=menuitem]'));
  const next = {
    ArrowDown: at < 0 ? 0 : (at + 1) % items.length,
    ArrowUp: at < 0 ? items.length - 1 : (at - 1 + items.length) % items.length,
    Home: 0,
    End: items.length - 1,
  }[event.key];
  event.preventDefault();
  items[next].focus();
});

// A closed dialog gives the focus back to the control that opened it. Quasar's dialogs
// try, but the pages remove a dialog as soon as it answers, before Quasar's own refocus,
// and a dialog opened from a menu entry would refocus the entry, gone with its menu. So:
// the last control focused outside any dialog or menu is the opener; when the last open
// dialog goes away and the focus is nowhere, it returns there (the opener may still be
// disabled for a moment while the server finishes what the dialog asked: retried).
let opener = null;
document.addEventListener('focusin', (event) => {
  if (!event.target.closest('.q-dialog, .q-menu')) opener = event.target;
});
let dialogsOpen = 0;
function watchDialogs() {
  const open = document.querySelectorAll('.q-dialog').length;
  if (open === 0 && dialogsOpen > 0) giveFocusBack(opener, 20);
  dialogsOpen = open;
}

function giveFocusBack(target, tries) {
  const lost = !document.activeElement || document.activeElement === document.body;
  if (!lost || !target || !target.isConnected || document.querySelector('.q-dialog')) return;
  target.focus();
  if (document.activeElement !== target && tries > 0) setTimeout(() => giveFocusBack(target, tries - 1), 50);
}

new MutationObserver(() => {
  untabListboxes();
  watchDialogs();
}).observe(document.documentElement, { childList: true, subtree: true });

#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H

// ncursesw for Swift: the headers plus `static inline` wrappers (prefix `mt_`) for what Swift cannot import.
//
// Turn on the wide-character API (cchar_t, setcchar, mvwadd_wch, wget_wch...). ncursesw.pc would pass
// -D_XOPEN_SOURCE=600, but SwiftPM drops -D flags from pkg-config, so opt in here, before <curses.h>.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <curses.h>

// Swift imports functions and simple integer macros (KEY_DOWN, KEY_RESIZE, ERR, OK, COLOR_RED...) but not
// function-like or cast-heavy macros, and in Swift 6 mode it rejects mutable C globals (stdscr, LINES, COLS,
// COLORS, stderr). Each function below wraps one such macro or global, so the module needs no compiled C.

// MARK: Globals

// The current screen's standard window (after newterm, the new screen's).
static inline WINDOW *mt_stdscr(void) { return stdscr; }

// MARK: Attributes (A_* are NCURSES_BITS(...) expressions).

static inline attr_t mt_a_normal(void)    { return A_NORMAL; }
static inline attr_t mt_a_bold(void)      { return A_BOLD; }
static inline attr_t mt_a_dim(void)       { return A_DIM; }
static inline attr_t mt_a_underline(void) { return A_UNDERLINE; }
static inline attr_t mt_a_reverse(void)   { return A_REVERSE; }
static inline attr_t mt_a_italic(void)    { return A_ITALIC; }

// MARK: Colours (COLORS and COLOR_PAIRS are globals Swift 6 rejects).

static inline int mt_colors(void)      { return COLORS; }
static inline int mt_color_pairs(void) { return COLOR_PAIRS; }

// MARK: Keys (KEY_F(n) is function-like).

static inline int mt_key_f(int n) { return KEY_F(n); }

// MARK: Cells

// Writes one grapheme (a NUL-terminated run of up to CCHARW_MAX-1 code points: base plus combining marks) with
// attributes and a colour pair at (y, x). Wraps setcchar + mvwadd_wch.
static inline int mt_put_cell(WINDOW *win, int y, int x, const wchar_t *wch, attr_t attrs, short pair) {
    cchar_t cell;
    if (setcchar(&cell, wch, attrs, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(win, y, x, &cell);
}

// MARK: Mouse masks (NCURSES_MOUSE_MASK(b, m) is function-like).

static inline mmask_t mt_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t mt_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t mt_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t mt_button4_pressed(void) { return BUTTON4_PRESSED; }   // wheel up
static inline mmask_t mt_button5_pressed(void) { return BUTTON5_PRESSED; }   // wheel down

#endif

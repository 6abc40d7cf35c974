//! Reading Python source: tokens with byte spans ([`lexer`]) and what bytes mean as text
//! ([`source`]). Nothing here knows which variable we look for or what makes a key weak.

pub mod lexer;
pub mod source;
